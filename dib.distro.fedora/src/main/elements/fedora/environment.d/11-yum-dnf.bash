# SPDX-License-Identifier: Apache-2.0
# Fedora has used dnf since release 22.
if [ "$DIB_RELEASE" = rawhide ] || [ "$DIB_RELEASE" -ge 22 ] 2>/dev/null; then
    export YUM=dnf
else
    export YUM=yum
fi
