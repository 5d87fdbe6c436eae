// SPDX-License-Identifier: Apache-2.0
package dib.core.element;

import java.util.Map;

import org.osgi.annotation.versioning.ConsumerType;

/**
 * Anything that offers elements. Register an implementation as an OSGi service and its
 * elements become available to every build; {@link ElementRepository} consults the
 * directories of a request's {@code ELEMENTS_PATH} first, then the services in order of
 * {@code service.ranking} (highest first) and service id (oldest first). When two sources
 * carry an element of the same name, the first one wins.
 *
 * <p>dib itself registers one source per bundle whose manifest has a
 * {@code DIB-Elements} header (see the README of dib.core for the bundle format).
 *
 * @since 1.0
 */
@ConsumerType
public interface ElementSource {
    /** Service property holding the symbolic name of the bundle an element source stands for. */
    String BUNDLE_PROPERTY = "dib.elements.bundle";

    /** @return a short description of where the elements come from, used in messages */
    String origin();

    /**
     * @return the elements by name; must be cheap to call and stable while the source is
     *         registered
     */
    Map<String, Element> elements();
}
