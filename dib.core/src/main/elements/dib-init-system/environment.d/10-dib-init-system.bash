# Detect the image's init system from its tree (outside the chroot TARGET_ROOT, inside /).
if [ -z "${DIB_INIT_SYSTEM:-}" ]; then
    _dib_root=/
    if [ -z "${DIB_CALL_ROOT:-}" ] && [ -n "${TARGET_ROOT:-}" ]; then
        _dib_root=$TARGET_ROOT
    fi
    if [ -e "$_dib_root/usr/lib/systemd/systemd" ] || [ -e "$_dib_root/lib/systemd/systemd" ]; then
        DIB_INIT_SYSTEM=systemd
    elif [ -e "$_dib_root/sbin/initctl" ] && [ -d "$_dib_root/etc/init" ]; then
        DIB_INIT_SYSTEM=upstart
    elif [ -e "$_dib_root/sbin/openrc" ]; then
        DIB_INIT_SYSTEM=openrc
    elif [ -e "$_dib_root/etc/inittab" ] || [ -d "$_dib_root/etc/init.d" ]; then
        DIB_INIT_SYSTEM=sysv
    else
        DIB_INIT_SYSTEM=
    fi
    unset _dib_root
fi
export DIB_INIT_SYSTEM
