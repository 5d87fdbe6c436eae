// SPDX-License-Identifier: Apache-2.0
/**
 * Helpers for RPM distributions built from cloud disk images (Fedora here, RHEL in
 * dib.distro.rhel, others from vendors), next to the RPM-family elements this bundle ships
 * ({@code redhat-common}, {@code rpm-distro}, {@code yum}).
 *
 * @since 1.0
 */
@org.osgi.annotation.bundle.Export
@org.osgi.annotation.versioning.Version("1.0.0")
package dib.distro.fedora.rpm;
