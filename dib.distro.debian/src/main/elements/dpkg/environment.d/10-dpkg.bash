# SPDX-License-Identifier: Apache-2.0
export DIB_ADD_APT_KEYS=${DIB_ADD_APT_KEYS:-}
export DIB_APT_LOCAL_CACHE=${DIB_APT_LOCAL_CACHE:-1}
