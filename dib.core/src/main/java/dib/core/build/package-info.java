// SPDX-License-Identifier: Apache-2.0
/**
 * Building images: the {@link dib.core.build.ImageBuilder} service, the request it takes,
 * the handle and events of a running build, and the {@link dib.core.build.BuildContext}
 * that plug-ins (block-device layers, output formats, hook commands, distributions) are
 * given while a build runs.
 *
 * @since 1.0
 */
@org.osgi.annotation.bundle.Export
@org.osgi.annotation.versioning.Version("1.0.0")
package dib.core.build;
