// SPDX-License-Identifier: Apache-2.0
/**
 * Distributions as services: what a distribution bundle provides (names, releases, root
 * tree creation, package manager, package-name map). Hooks reach a distribution with
 * {@code dib-call distro-root NAME}.
 *
 * @since 1.0
 */
@org.osgi.annotation.bundle.Export
@org.osgi.annotation.versioning.Version("1.0.0")
package dib.core.distro;
