// SPDX-License-Identifier: Apache-2.0
/**
 * The element model: what an element is, where elements come from and how a list of
 * requested elements expands through {@code element-deps} and {@code element-provides}.
 *
 * <p>An element is a directory in the format of OpenStack diskimage-builder. Elements come
 * from {@link dib.core.element.ElementSource} services (directories, bundles carrying a
 * {@code DIB-Elements} header, or anything a vendor registers) and from the
 * {@code ELEMENTS_PATH} given with a request. {@link dib.core.element.ElementRepository}
 * combines them and expands dependencies.
 *
 * @since 1.0
 */
@org.osgi.annotation.bundle.Export
@org.osgi.annotation.versioning.Version("1.0.0")
package dib.core.element;
