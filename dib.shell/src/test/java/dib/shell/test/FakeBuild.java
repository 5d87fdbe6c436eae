// SPDX-License-Identifier: Apache-2.0
package dib.shell.test;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalDateTime;
import java.time.format.DateTimeFormatter;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;

import dib.core.build.Build;
import dib.core.build.BuildEvent;
import dib.core.build.BuildException;
import dib.core.build.BuildListener;
import dib.core.build.BuildRequest;
import dib.core.build.BuildResult;
import dib.core.build.BuildState;
import dib.core.build.ImageBuilder;

/**
 * A build the test drives by hand: it writes its log file the way dib.core does
 * ({@code YYYY-MM-DD HH:MM:SS.mmm | line}, the header first), sends events to listeners and
 * ends when told. Its {@link Builder} is an {@link ImageBuilder} handing out such builds.
 */
final class FakeBuild implements Build {
    static final DateTimeFormatter STAMP = DateTimeFormatter.ofPattern("yyyy-MM-dd HH:mm:ss.SSS");

    final String id;
    final BuildRequest request;
    final Path log;
    final Instant started = Instant.now();
    final List<BuildListener> listeners = new CopyOnWriteArrayList<>();
    final CompletableFuture<BuildResult> result = new CompletableFuture<>();
    volatile BuildState state = BuildState.RUNNING;
    volatile String phase;
    volatile boolean cancelled;

    FakeBuild(String id, BuildRequest request, Path log) {
        this.id = id;
        this.request = request;
        this.log = log;
    }

    /** Truncates the log and writes this build's header line. */
    FakeBuild header() {
        write("dib 1.0.0 build " + id + ": " + String.join(" ", request.elements()), false);
        return this;
    }

    /** Appends a log line (and sends it as a LOG event). */
    FakeBuild line(String text) {
        write(text, true);
        event(BuildEvent.log(id, text));
        return this;
    }

    private void write(String text, boolean append) {
        try {
            Files.createDirectories(log.getParent());
            Files.writeString(log, LocalDateTime.now().format(STAMP) + " | " + text + "\n", StandardCharsets.UTF_8,
                    StandardOpenOption.CREATE, StandardOpenOption.WRITE,
                    append ? StandardOpenOption.APPEND : StandardOpenOption.TRUNCATE_EXISTING);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    FakeBuild event(BuildEvent e) {
        if (e.type() == BuildEvent.Type.PHASE_STARTED) {
            phase = e.phase();
        }
        listeners.forEach(l -> l.onEvent(e));
        return this;
    }

    void finish(BuildState s, int exit, String message, List<Path> outputs) {
        state = s;
        phase = null;
        result.complete(new BuildResult(s, exit, message, outputs, Map.of(), List.of(), log,
                Duration.between(started, Instant.now())));
    }

    @Override
    public String id() {
        return id;
    }

    @Override
    public BuildRequest request() {
        return request;
    }

    @Override
    public List<String> elements() {
        return request.elements();
    }

    @Override
    public BuildState state() {
        return state;
    }

    @Override
    public String phase() {
        return phase;
    }

    @Override
    public Instant started() {
        return started;
    }

    @Override
    public Duration elapsed() {
        return Duration.between(started, Instant.now());
    }

    @Override
    public Path log() {
        return log;
    }

    @Override
    public void addListener(BuildListener listener) {
        listeners.add(listener);
    }

    @Override
    public void removeListener(BuildListener listener) {
        listeners.remove(listener);
    }

    @Override
    public void cancel() {
        cancelled = true;
        if (!result.isDone()) {
            finish(BuildState.CANCELLED, 1, "build " + id + " cancelled", List.of());
        }
    }

    @Override
    public CompletionStage<BuildResult> result() {
        return result;
    }

    @Override
    public BuildResult await() throws InterruptedException {
        try {
            return result.get();
        } catch (java.util.concurrent.ExecutionException e) {
            throw new IllegalStateException(e);
        }
    }

    /** Hands out fake builds; {@link #started} receives each one (the test drives it). */
    static final class Builder implements ImageBuilder {
        final Path dir;
        final AtomicInteger ids = new AtomicInteger();
        final List<FakeBuild> builds = new CopyOnWriteArrayList<>();
        java.util.function.Consumer<FakeBuild> started = b -> { };
        BuildException refuse;

        Builder(Path dir) {
            this.dir = dir;
        }

        @Override
        public Build start(BuildRequest request) throws BuildException {
            if (refuse != null) {
                throw refuse;
            }
            String name = request.imageName() == null ? "image" : request.imageName();
            FakeBuild b = new FakeBuild(Integer.toString(ids.incrementAndGet()), request,
                    dir.resolve(name + ".d").resolve("build.log"));
            builds.add(b);
            started.accept(b);
            return b;
        }

        @Override
        public List<Build> builds() {
            return List.copyOf(builds);
        }

        @Override
        public Optional<Build> build(String id) {
            return builds.stream().filter(b -> b.id.equals(id)).map(Build.class::cast).findFirst();
        }

        @Override
        public List<String> gc(boolean dryRun) {
            return List.of(dryRun ? "nothing to do (dry run)" : "nothing to do");
        }
    }
}
