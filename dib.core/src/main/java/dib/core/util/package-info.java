// SPDX-License-Identifier: Apache-2.0
/**
 * Small utilities shared by dib bundles: JSON output and shell quoting.
 *
 * @since 1.0
 */
@org.osgi.annotation.bundle.Export
@org.osgi.annotation.versioning.Version("1.0.0")
package dib.core.util;
