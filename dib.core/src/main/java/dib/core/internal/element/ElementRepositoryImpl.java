// SPDX-License-Identifier: Apache-2.0
package dib.core.internal.element;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

import org.osgi.framework.ServiceReference;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.Reference;
import org.osgi.service.component.annotations.ReferenceCardinality;
import org.osgi.service.component.annotations.ReferencePolicy;

import dib.core.element.Catalog;
import dib.core.element.ElementRepository;
import dib.core.element.ElementSource;

/**
 * Combines the request's {@code ELEMENTS_PATH} directories with every registered
 * {@link ElementSource}, in search order.
 */
@Component(service = ElementRepository.class)
public final class ElementRepositoryImpl implements ElementRepository {
    // ServiceReference order: higher ranking, then lower service id, compare greater.
    private final Map<ServiceReference<?>, ElementSource> sources = Collections
            .synchronizedMap(new TreeMap<>(Collections.reverseOrder()));

    @Reference(cardinality = ReferenceCardinality.MULTIPLE, policy = ReferencePolicy.DYNAMIC)
    void addSource(ElementSource source, ServiceReference<ElementSource> ref) {
        sources.put(ref, source);
    }

    void removeSource(ElementSource source, ServiceReference<ElementSource> ref) {
        sources.remove(ref);
    }

    /** For tests and for use without a framework: add a source with the lowest priority. */
    public static Catalog catalog(List<Path> elementsPath, List<ElementSource> services) {
        List<ElementSource> all = new ArrayList<>();
        for (Path p : elementsPath) {
            all.add(new DirectoryElementSource(p, p.toString()));
        }
        all.addAll(services);
        return new CatalogImpl(all);
    }

    @Override
    public Catalog catalog(List<Path> elementsPath) {
        List<ElementSource> registered;
        synchronized (sources) {
            registered = new ArrayList<>(sources.values());
        }
        return catalog(elementsPath, registered);
    }
}
