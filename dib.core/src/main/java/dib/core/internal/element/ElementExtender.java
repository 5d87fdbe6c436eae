// SPDX-License-Identifier: Apache-2.0
package dib.core.internal.element;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.Comparator;
import java.util.Dictionary;
import java.util.Hashtable;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.logging.Level;
import java.util.logging.Logger;

import org.osgi.framework.Bundle;
import org.osgi.framework.BundleContext;
import org.osgi.framework.BundleEvent;
import org.osgi.framework.ServiceRegistration;
import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.Deactivate;
import org.osgi.util.tracker.BundleTracker;
import org.osgi.util.tracker.BundleTrackerCustomizer;

import dib.core.element.ElementBundles;
import dib.core.element.ElementSource;
import dib.core.internal.DibDirs;

/**
 * The extender for element bundles: tracks active bundles with a {@code DIB-Elements} header,
 * unpacks their elements (see {@link BundleElementUnpacker}) and registers one
 * {@link ElementSource} per bundle for as long as the bundle is active.
 *
 * <p>A bundle whose elements folder is missing or empty, or which carries an element that an
 * already accepted bundle carries too, is rejected: its elements are not offered and
 * {@link ElementBundles#bundles()} says why. When an accepted bundle goes away, the bundles
 * rejected only because they clashed with it are considered again, oldest first. Elements from {@code ELEMENTS_PATH} may still
 * override bundle elements, as upstream's user path overrides the built-in elements.
 */
@Component(service = ElementBundles.class, immediate = true)
public final class ElementExtender implements ElementBundles {
    private static final Logger LOG = Logger.getLogger(ElementExtender.class.getName());

    private final BundleContext context;
    private final BundleElementUnpacker unpacker;
    private final Map<Long, Tracked> tracked = Collections.synchronizedMap(new TreeMap<>());
    private final BundleTracker<Tracked> tracker;
    private volatile boolean closing;

    private static final class Tracked {
        final Info info;
        final ServiceRegistration<ElementSource> registration;
        /** rejected only because an accepted bundle carries one of its elements */
        final boolean clashed;

        Tracked(Info info, ServiceRegistration<ElementSource> registration, boolean clashed) {
            this.info = info;
            this.registration = registration;
            this.clashed = clashed;
        }
    }

    @Activate
    public ElementExtender(BundleContext context) {
        this.context = context;
        this.unpacker = new BundleElementUnpacker(DibDirs.cache(context).resolve("elements"));
        this.tracker = new BundleTracker<>(context, Bundle.ACTIVE | Bundle.STARTING,
                new BundleTrackerCustomizer<Tracked>() {
                    @Override
                    public Tracked addingBundle(Bundle bundle, BundleEvent event) {
                        return add(bundle);
                    }

                    @Override
                    public void modifiedBundle(Bundle bundle, BundleEvent event, Tracked t) {
                        // STARTING -> ACTIVE: nothing changes for the elements
                    }

                    @Override
                    public void removedBundle(Bundle bundle, BundleEvent event, Tracked t) {
                        remove(bundle, t);
                    }
                });
        tracker.open();
    }

    @Deactivate
    void deactivate() {
        closing = true;
        tracker.close();
    }

    private Tracked add(Bundle bundle) {
        String folder = bundle.getHeaders("").get(HEADER);
        if (folder == null) {
            return null;
        }
        String bsn = bundle.getSymbolicName();
        String version = bundle.getVersion().toString();
        BundleElementUnpacker.Result r;
        try {
            r = unpacker.unpack(bundle, folder);
        } catch (Exception e) {
            LOG.log(Level.WARNING, "cannot unpack the elements of bundle " + bsn, e);
            return record(bundle, new Info(bundle.getBundleId(), bsn, version, folder, List.of(), null,
                    "cannot unpack its elements: " + e.getMessage()), null);
        }
        if (r.problem() != null) {
            LOG.warning("bundle " + bsn + " " + version + ": " + r.problem());
            return record(bundle, new Info(bundle.getBundleId(), bsn, version, folder, r.names(), r.directory(),
                    r.problem()), null);
        }
        // the check and the registration are one step, so two bundles carrying the same
        // element that start at the same time cannot both be accepted
        synchronized (tracked) {
            return accept(new Info(bundle.getBundleId(), bsn, version, folder, r.names(), r.directory(), null));
        }
    }

    /** Registers the source of {@code info}'s elements, or records why not. Holds {@code tracked}. */
    private Tracked accept(Info info) {
        String clash = clash(info.elements());
        if (clash != null) {
            LOG.warning("bundle " + info.symbolicName() + " " + info.version() + " rejected: " + clash);
            Tracked t = new Tracked(new Info(info.bundleId(), info.symbolicName(), info.version(), info.folder(),
                    info.elements(), info.directory(), clash), null, true);
            tracked.put(info.bundleId(), t);
            return t;
        }
        String origin = "bundle " + info.symbolicName() + " " + info.version();
        DirectoryElementSource source = new DirectoryElementSource(info.directory(), origin);
        Dictionary<String, Object> props = new Hashtable<>();
        props.put(ElementSource.BUNDLE_PROPERTY, info.symbolicName());
        props.put("dib.elements.bundle.id", info.bundleId());
        props.put("dib.elements.names", info.elements().toArray(String[]::new));
        ServiceRegistration<ElementSource> reg = context.registerService(ElementSource.class,
                new BundleElementSource(origin, source), props);
        Tracked t = new Tracked(info, reg, false);
        tracked.put(info.bundleId(), t);
        return t;
    }

    private Tracked record(Bundle bundle, Info info, ServiceRegistration<ElementSource> reg) {
        Tracked t = new Tracked(info, reg, false);
        tracked.put(bundle.getBundleId(), t);
        return t;
    }

    private String clash(List<String> names) {
        synchronized (tracked) {
            for (Tracked t : tracked.values()) {
                if (!t.info.accepted()) {
                    continue;
                }
                List<String> common = new ArrayList<>(t.info.elements());
                common.retainAll(names);
                if (!common.isEmpty()) {
                    return "element" + (common.size() > 1 ? "s " : " ") + String.join(", ", common)
                            + " already provided by bundle " + t.info.symbolicName() + " " + t.info.version();
                }
            }
        }
        return null;
    }

    private void remove(Bundle bundle, Tracked t) {
        synchronized (tracked) {
            // the current entry: a clashed bundle may have been accepted since it was added
            Tracked current = tracked.remove(bundle.getBundleId());
            Tracked gone = current != null ? current : t;
            if (gone.registration != null) {
                try {
                    gone.registration.unregister();
                } catch (IllegalStateException alreadyGone) {
                    // the framework unregisters services of a stopping bundle itself
                }
            }
            if (gone.info.accepted() && !closing) {
                reconsider();
            }
        }
    }

    /**
     * An accepted bundle went away: bundles rejected because they clashed with it may now be
     * accepted, oldest first (their reason would otherwise name a bundle that is gone).
     */
    private void reconsider() {
        for (Tracked t : new ArrayList<>(tracked.values())) {
            if (t.clashed && clash(t.info.elements()) == null) {
                Info i = t.info;
                accept(new Info(i.bundleId(), i.symbolicName(), i.version(), i.folder(), i.elements(), i.directory(),
                        null));
                LOG.info("bundle " + i.symbolicName() + " " + i.version() + " accepted: its elements no longer clash");
            }
        }
    }

    @Override
    public List<Info> bundles() {
        List<Info> out = new ArrayList<>();
        synchronized (tracked) {
            for (Tracked t : tracked.values()) {
                out.add(t.info);
            }
        }
        out.sort(Comparator.comparingLong(Info::bundleId));
        return out;
    }

    /** The registered source: the unpacked directory under the bundle's name. */
    private static final class BundleElementSource implements ElementSource {
        private final String origin;
        private final DirectoryElementSource dir;

        BundleElementSource(String origin, DirectoryElementSource dir) {
            this.origin = origin;
            this.dir = dir;
        }

        @Override
        public String origin() {
            return origin;
        }

        @Override
        public Map<String, dib.core.element.Element> elements() {
            return dir.elements();
        }

        Path directory() {
            return dir.directory();
        }
    }
}
