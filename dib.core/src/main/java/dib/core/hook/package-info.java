// SPDX-License-Identifier: Apache-2.0
/**
 * Java services that element hooks call. A hook runs
 * {@code "$TMP_HOOKS_PATH/bin/dib-call" NAME ARGS...} (inside the chroot:
 * {@code /tmp/in_target.d/bin/dib-call}); the engine passes the call, the hook's exported
 * environment and working directory to the {@link dib.core.hook.HookCommand} service
 * registered under that name, streams its output back and exits with its status. This is
 * how {@code cache-url}, distribution root trees, the ramdisk builder and the bootloader
 * reach Java code while the element format stays unchanged.
 *
 * @since 1.0
 */
@org.osgi.annotation.bundle.Export
@org.osgi.annotation.versioning.Version("1.0.0")
package dib.core.hook;
