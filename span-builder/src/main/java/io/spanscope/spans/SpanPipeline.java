package io.spanscope.spans;

import io.spanscope.capture.event.CaptureClock;
import io.spanscope.capture.event.Endpoint;
import io.spanscope.capture.event.Role;
import io.spanscope.capture.proc.ProcessMetadata;
import io.spanscope.parsers.record.Record;
import io.spanscope.parsers.record.RecordSink;
import io.spanscope.spans.link.Fragment;
import io.spanscope.spans.link.LinkerConfig;
import io.spanscope.spans.link.LocalLinker;
import io.spanscope.spans.link.ServerConcurrency;
import io.spanscope.spans.link.ServerConnectionGauge;
import io.spanscope.spans.resolve.InMemoryResolverState;
import io.spanscope.spans.resolve.KnownSpan;
import io.spanscope.spans.resolve.ResolvedSpanListener;
import io.spanscope.spans.resolve.TraceResolver;
import io.spanscope.spans.service.ServiceDirectory;
import io.spanscope.spans.service.ServiceIdentity;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Consumer;
import java.util.function.IntFunction;
import java.util.function.IntPredicate;
import java.util.function.LongSupplier;
import java.util.function.Predicate;

/**
 * Records in, resolved spans out: the single-process span builder. Parser workers hand records to
 * {@link #recordSink()} (non-blocking; a full intake queue drops and counts); one thread names the
 * services, builds the spans, links them locally into fragments, resolves their traces and hands every
 * span to the listeners (export, metrics, files, console).
 */
public final class SpanPipeline implements AutoCloseable {

    private static final long TICK_NS = TimeUnit.MILLISECONDS.toNanos(20);

    private final ArrayBlockingQueue<Record> intake;
    private final ServiceDirectory services;
    private final SpanFactory factory;
    private final PeerDirectory peers = new PeerDirectory(65_536);
    private final Set<Integer> serving = ConcurrentHashMap.newKeySet();
    private final ServerConnectionGauge serverConnections = new ServerConnectionGauge();
    private final IntPredicate servesRequests;
    private final LocalLinker linker;
    private final TraceResolver resolver;
    private final Consumer<Fragment> fragmentSink;
    private final List<ResolvedSpanListener> listeners;
    private final LongSupplier nanoClock;
    private final Thread thread;
    private final AtomicLong recordsIn = new AtomicLong();
    private final AtomicLong recordsDropped = new AtomicLong();
    private volatile long spansOut;
    private volatile long listenerFailures;
    private volatile long buildFailures;
    private volatile long recordsSkipped;
    private volatile boolean stopping;

    private SpanPipeline(Builder b) {
        this.intake = new ArrayBlockingQueue<>(b.intakeCapacity);
        this.services = new ServiceDirectory(b.processes, b.hostName, 16_384);
        this.factory = new SpanFactory(b.clock);
        this.listeners = List.copyOf(b.listeners);
        this.nanoClock = b.nanoClock;
        IntPredicate known = b.servesRequests;
        this.servesRequests = tgid -> serving.contains(tgid) || known.test(tgid);
        this.resolver = new TraceResolver(
                new InMemoryResolverState(b.parentWait.toNanos() * 10, b.maxKnownSpans, b.maxWaitingFragments),
                b.parentWait.toNanos(), b.peerIsTraced, new Fanout());
        this.fragmentSink = b.fragmentSink;
        this.linker = new LocalLinker(b.linkerConfig, servesRequests,
                b.connectionEvidence ? serverConnections : ServerConcurrency.RECORDS_ONLY, this::onFragment);
        this.thread = new Thread(this::run, "spanscope-span-builder");
        this.thread.setDaemon(true);
    }

    public static Builder builder() {
        return new Builder();
    }

    public SpanPipeline start() {
        thread.start();
        return this;
    }

    /** Thread-safe, never blocks. */
    public RecordSink recordSink() {
        return record -> {
            if (intake.offer(record)) {
                recordsIn.incrementAndGet();
            } else {
                recordsDropped.incrementAndGet();
            }
        };
    }

    /**
     * A process accepted a connection: its calls may belong to server exchanges, and while it holds
     * several server connections, several requests may be in flight. Thread-safe.
     *
     * @param timestampNs capture clock
     */
    public void noteServerConnectionOpened(int tgid, long timestampNs) {
        serving.add(tgid);
        serverConnections.opened(tgid, timestampNs);
    }

    /** A server connection of the process closed. Thread-safe. */
    public void noteServerConnectionClosed(int tgid, long timestampNs) {
        serverConnections.closed(tgid, timestampNs);
    }

    /** The process exited: it serves nothing any more and its connections are gone. Thread-safe. */
    public void forgetProcess(int tgid) {
        serving.remove(tgid);
        serverConnections.forget(tgid);
    }

    /** Processes what is queued, publishes everything held back, and stops the thread. */
    @Override
    public void close() {
        stopping = true;
        try {
            thread.join(TimeUnit.SECONDS.toMillis(30));
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    public SpanPipelineStats stats() {
        return new SpanPipelineStats(recordsIn.get(), recordsDropped.get(), recordsSkipped, intake.size(), spansOut,
                buildFailures, listenerFailures, linker.stats(), resolver.stats());
    }

    private void run() {
        List<Record> batch = new ArrayList<>(512);
        long nextTick = nanoClock.getAsLong();
        while (true) {
            boolean finishing = stopping;
            try {
                Record first = intake.poll(TICK_NS, TimeUnit.NANOSECONDS);
                if (first != null) {
                    batch.add(first);
                    intake.drainTo(batch, 511);
                }
            } catch (InterruptedException e) {
                finishing = true;
            }
            long now = nanoClock.getAsLong();
            for (Record record : batch) {
                build(record, now);
            }
            batch.clear();
            if (now >= nextTick) {
                linker.tick(now);
                resolver.tick(now);
                nextTick = now + TICK_NS;
            }
            if (finishing && intake.isEmpty()) {
                linker.flush();
                resolver.flush(nanoClock.getAsLong());
                return;
            }
        }
    }

    private void build(Record record, long now) {
        if (SpanWorthiness.skip(record)) {
            recordsSkipped++;
            return;
        }
        try {
            ServiceIdentity service = services.forProcess(record.tgid());
            String peerService = null;
            if (record.role() == Role.SERVER) {
                serving.add(record.tgid());
                peers.learn(record, service.serviceName());
            } else {
                peerService = peers.serviceFor(record);
            }
            linker.offer(factory.create(record, service, peerService), now);
        } catch (RuntimeException e) {
            buildFailures++;
        }
    }

    private void onFragment(Fragment fragment) {
        if (fragmentSink != null) {
            fragmentSink.accept(fragment);
        } else {
            resolver.onFragment(fragment, nanoClock.getAsLong());
        }
    }

    /** Hands each resolved span and edge to every listener; one failing listener does not starve the rest. */
    private final class Fanout implements ResolvedSpanListener {
        @Override
        public void onSpan(CapturedSpanData span) {
            spansOut++;
            for (ResolvedSpanListener l : listeners) {
                try {
                    l.onSpan(span);
                } catch (RuntimeException e) {
                    listenerFailures++;
                }
            }
        }

        @Override
        public void onEdge(KnownSpan client, ExchangeSpan server) {
            for (ResolvedSpanListener l : listeners) {
                try {
                    l.onEdge(client, server);
                } catch (RuntimeException e) {
                    listenerFailures++;
                }
            }
        }
    }

    /** Configures a {@link SpanPipeline}; the capture clock and the process lookup are required. */
    public static final class Builder {
        private CaptureClock clock;
        private IntFunction<Optional<ProcessMetadata>> processes;
        private String hostName = "localhost";
        private IntPredicate servesRequests = tgid -> false;
        private Predicate<Endpoint> peerIsTraced = endpoint -> true;
        private LinkerConfig linkerConfig = LinkerConfig.defaults();
        private Duration parentWait = Duration.ofSeconds(2);
        private int intakeCapacity = 65_536;
        private int maxKnownSpans = 1_000_000;
        private int maxWaitingFragments = 200_000;
        private LongSupplier nanoClock = System::nanoTime;
        private boolean connectionEvidence;
        private Consumer<Fragment> fragmentSink;
        private final List<ResolvedSpanListener> listeners = new ArrayList<>();

        private Builder() {
        }

        public Builder clock(CaptureClock clock) {
            this.clock = clock;
            return this;
        }

        public Builder processes(IntFunction<Optional<ProcessMetadata>> processes) {
            this.processes = processes;
            return this;
        }

        public Builder hostName(String hostName) {
            this.hostName = hostName;
            return this;
        }

        /** Processes known to accept connections (from capture), besides those seen serving records. */
        public Builder servesRequests(IntPredicate servesRequests) {
            this.servesRequests = servesRequests;
            return this;
        }

        /** Whether a caller at an address would be traced; false makes its callees trace roots at once. */
        public Builder peerIsTraced(Predicate<Endpoint> peerIsTraced) {
            this.peerIsTraced = peerIsTraced;
            return this;
        }

        public Builder linkerConfig(LinkerConfig linkerConfig) {
            this.linkerConfig = linkerConfig;
            return this;
        }

        /**
         * Whether the capture reports server connections ({@link #noteServerConnectionOpened} and
         * {@link #noteServerConnectionClosed}): the linker then links a call made off the request's thread
         * only when its process held one server connection throughout. Without it, the records alone decide.
         */
        public Builder connectionEvidence(boolean reported) {
            this.connectionEvidence = reported;
            return this;
        }

        /** How long a fragment waits for the fragment holding its parent before it becomes a root. */
        public Builder parentWait(Duration parentWait) {
            this.parentWait = parentWait;
            return this;
        }

        public Builder intakeCapacity(int intakeCapacity) {
            this.intakeCapacity = intakeCapacity;
            return this;
        }

        public Builder maxKnownSpans(int maxKnownSpans) {
            this.maxKnownSpans = maxKnownSpans;
            return this;
        }

        public Builder maxWaitingFragments(int maxWaitingFragments) {
            this.maxWaitingFragments = maxWaitingFragments;
            return this;
        }

        /** The clock the waits run on; must be the capture source's clock for live capture (monotonic). */
        public Builder nanoClock(LongSupplier nanoClock) {
            this.nanoClock = nanoClock;
            return this;
        }

        /**
         * Hands every fragment the linker completes to {@code sink} (on the pipeline's thread; it must not
         * block) instead of resolving its trace here: the agent of the distributed mode publishes them and
         * a span builder resolves them. Listeners then receive nothing.
         */
        public Builder fragmentSink(Consumer<Fragment> sink) {
            this.fragmentSink = Objects.requireNonNull(sink);
            return this;
        }

        public Builder addListener(ResolvedSpanListener listener) {
            this.listeners.add(Objects.requireNonNull(listener));
            return this;
        }

        public SpanPipeline build() {
            Objects.requireNonNull(clock, "clock");
            Objects.requireNonNull(processes, "processes");
            return new SpanPipeline(this);
        }
    }
}
