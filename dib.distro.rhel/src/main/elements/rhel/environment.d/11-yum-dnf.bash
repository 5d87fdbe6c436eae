# SPDX-License-Identifier: Apache-2.0
# RHEL 8 and later use dnf; RHEL 7 used yum.
case "$DIB_RELEASE" in
    7|7.*) export YUM=yum ;;
    *) export YUM=dnf ;;
esac
