# SPDX-License-Identifier: Apache-2.0
# Debian from a package mirror. Sourced outside the chroot and inside it: outside, the
# default mirrors are the build host's own Debian mirrors (from its apt sources); inside,
# the ones the image is being built from (root.d wrote them into its apt sources).
export DISTRO_NAME=debian
export DIB_RELEASE=${DIB_RELEASE:-bookworm}
export DIB_INIT_SYSTEM=systemd
export EFI_BOOT_DIR="EFI/debian"

# The first URI in the apt sources of this system whose path ends in /$1.
_dib_debian_uri() {
    local want=$1 f line word IFS=$' \t\n'
    for f in /etc/apt/sources.list.d/*.sources; do
        [ -f "$f" ] || continue
        while read -r line; do
            case "$line" in
                [Uu][Rr][Ii][Ss]:*)
                    for word in ${line#*:}; do
                        case "${word%/}" in */"$want") echo "${word%/}"; return 0 ;; esac
                    done ;;
            esac
        done < "$f"
    done
    for f in /etc/apt/sources.list /etc/apt/sources.list.d/*.list; do
        [ -f "$f" ] || continue
        while read -r line; do
            line=$(printf '%s\n' "$line" | sed 's/\[[^]]*\]//')
            for word in $line; do
                case "${word%/}" in *://*/"$want") echo "${word%/}"; return 0 ;; esac
            done
        done < <(grep '^[[:space:]]*deb[[:space:]]' "$f")
    done
    return 1
}

if [ -n "${DIB_DEBIAN_DISTRIBUTION_MIRROR:-}" ]; then
    DIB_DISTRIBUTION_MIRROR=$DIB_DEBIAN_DISTRIBUTION_MIRROR
fi
if [ -z "${DIB_DISTRIBUTION_MIRROR:-}" ]; then
    DIB_DISTRIBUTION_MIRROR=$(_dib_debian_uri debian || echo http://deb.debian.org/debian)
fi
export DIB_DISTRIBUTION_MIRROR=${DIB_DISTRIBUTION_MIRROR%/}

# Security updates live in a separate archive.
if [ -z "${DIB_DEBIAN_SECURITY_MIRROR:-}" ]; then
    DIB_DEBIAN_SECURITY_MIRROR=$(_dib_debian_uri debian-security || echo http://security.debian.org/debian-security)
fi
export DIB_DEBIAN_SECURITY_MIRROR=${DIB_DEBIAN_SECURITY_MIRROR%/}
unset -f _dib_debian_uri

export DIB_DEBIAN_COMPONENTS=${DIB_DEBIAN_COMPONENTS:-main}
# What root.d/75 installs right after the bootstrap: bootstrapped along (and so kept in the
# cached debootstrap tarball) unless set otherwise; installing them again is then a no-op.
export DIB_DEBOOTSTRAP_INCLUDE=${DIB_DEBOOTSTRAP_INCLUDE-systemd-sysv,busybox,sudo,gnupg2,python3}
DIB_DEBIAN_COMPONENTS_WS=${DIB_DEBIAN_COMPONENTS//,/ }

# The security suite: RELEASE/updates up to buster, RELEASE-security since bullseye;
# DIB_DEBIAN_SECURITY_SUBPATH replaces the part after the release name.
case "$DIB_RELEASE" in
    jessie|stretch|buster) _dib_sec_sub=/updates ;;
    *) _dib_sec_sub=-security ;;
esac
DIB_DEBIAN_SECURITY_SUBPATH=${DIB_DEBIAN_SECURITY_SUBPATH:-$_dib_sec_sub}
unset _dib_sec_sub

if [ -z "${DIB_APT_SOURCES_CONF:-}" ]; then
    case "$DIB_RELEASE" in
        testing|unstable|sid)
            DIB_APT_SOURCES_CONF="default:deb $DIB_DISTRIBUTION_MIRROR $DIB_RELEASE $DIB_DEBIAN_COMPONENTS_WS" ;;
        *)
            DIB_APT_SOURCES_CONF="default:deb $DIB_DISTRIBUTION_MIRROR $DIB_RELEASE $DIB_DEBIAN_COMPONENTS_WS
updates:deb $DIB_DISTRIBUTION_MIRROR $DIB_RELEASE-updates $DIB_DEBIAN_COMPONENTS_WS
security:deb $DIB_DEBIAN_SECURITY_MIRROR $DIB_RELEASE$DIB_DEBIAN_SECURITY_SUBPATH $DIB_DEBIAN_COMPONENTS_WS" ;;
    esac
fi
export DIB_APT_SOURCES_CONF
unset DIB_DEBIAN_COMPONENTS_WS
