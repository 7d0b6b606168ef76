package io.spanscope.spans.link;

import io.spanscope.spans.ExchangeSpan;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.function.Consumer;
import java.util.function.IntPredicate;

/**
 * Makes a process's client calls children of the server exchange that caused them, and publishes each
 * server exchange with its children as a {@link Fragment}.
 *
 * <p>Evidence, strongest first: the call was made by the thread that read or answered the server request
 * and lies inside it in time; or it lies inside the only server exchange of its process that overlaps it.
 * Anything else is ambiguous and the call is published unlinked: a missing link is visible and honest, a
 * wrong one silently corrupts a trace.
 *
 * <p>Records of one process reach the builder from several parser workers, so a call's record may come
 * shortly after the record of the server exchange containing it: server exchanges wait
 * {@link LinkerConfig#serverGraceNs()} before publication, calls of serving processes wait at most
 * {@link LinkerConfig#clientHoldNs()} for their server exchange. Calls of processes that serve nothing are
 * published at once. Single-threaded: all methods are called from the span builder's thread.
 */
public final class LocalLinker {

    private final LinkerConfig config;
    private final IntPredicate servesRequests;
    private final Consumer<Fragment> out;
    private final Map<Integer, ProcessExchanges> processes = new HashMap<>();
    private volatile long linkedSameThread;
    private volatile long linkedSoleCandidate;
    private volatile long linkedLate;
    private volatile long ambiguous;
    private volatile long unlinked;
    private volatile long fragments;
    /** Set by {@link #decide}: whether its answer rests on thread identity. */
    private boolean decidedBySameThread;

    /**
     * @param servesRequests whether a process has accepted connections, so its calls may belong to a
     *                       server exchange whose record is still to come
     */
    public LocalLinker(LinkerConfig config, IntPredicate servesRequests, Consumer<Fragment> out) {
        this.config = config;
        this.servesRequests = servesRequests;
        this.out = out;
    }

    public void offer(ExchangeSpan span, long nowNs) {
        ProcessExchanges process = processes.get(span.tgid());
        if (span.isServer()) {
            if (process == null) {
                process = new ProcessExchanges();
                processes.put(span.tgid(), process);
            }
            ServerEntry previous = process.servers.peekLast();
            long latestEnd = previous == null ? span.endNs() : Math.max(previous.latestEndSoFar, span.endNs());
            process.servers.addLast(new ServerEntry(span, nowNs, latestEnd));
            return;
        }
        if (process == null) {
            if (!servesRequests.test(span.tgid())) {
                publish(new Fragment(span, List.of(), 0));
                return;
            }
            process = new ProcessExchanges();
            processes.put(span.tgid(), process);
        }
        ServerEntry parent = decide(process, span);
        if (parent == AMBIGUOUS) {
            ambiguous++;
            publish(new Fragment(span, List.of(), 0));
        } else if (parent != null && parent.published) {
            linkedLate++;
            publish(new Fragment(span, List.of(), parent.span.spanId()));
        } else {
            process.clients.addLast(new ClientEntry(span, nowNs + config.clientHoldNs()));
        }
    }

    /** Publishes what is due. Call regularly (every few tens of milliseconds). */
    public void tick(long nowNs) {
        Iterator<ProcessExchanges> it = processes.values().iterator();
        while (it.hasNext()) {
            ProcessExchanges process = it.next();
            for (ServerEntry server : process.servers) {
                if (server.published) {
                    continue;
                }
                if (server.arrivalNs + config.serverGraceNs() > nowNs) {
                    break;
                }
                publishServer(process, server);
            }
            while (!process.clients.isEmpty() && process.clients.peekFirst().dueNs <= nowNs) {
                unlinked++;
                publish(new Fragment(process.clients.pollFirst().span, List.of(), 0));
            }
            while (!process.servers.isEmpty() && process.servers.peekFirst().published
                    && process.servers.peekFirst().arrivalNs + config.serverHistoryNs() <= nowNs) {
                process.servers.pollFirst();
            }
            if (process.servers.isEmpty() && process.clients.isEmpty()) {
                it.remove();
            }
        }
    }

    /** Publishes everything held (capture stopped, end of a replay). */
    public void flush() {
        for (ProcessExchanges process : processes.values()) {
            for (ServerEntry server : process.servers) {
                if (!server.published) {
                    publishServer(process, server);
                }
            }
            for (ClientEntry client : process.clients) {
                unlinked++;
                publish(new Fragment(client.span, List.of(), 0));
            }
        }
        processes.clear();
    }

    public LinkerStats stats() {
        return new LinkerStats(linkedSameThread, linkedSoleCandidate, linkedLate, ambiguous, unlinked, fragments);
    }

    /** Number of exchanges held back, waiting for evidence. */
    public int held() {
        int n = 0;
        for (ProcessExchanges p : processes.values()) {
            n += p.clients.size();
            for (ServerEntry s : p.servers) {
                n += s.published ? 0 : 1;
            }
        }
        return n;
    }

    private void publishServer(ProcessExchanges process, ServerEntry server) {
        List<ExchangeSpan> children = new ArrayList<>();
        Iterator<ClientEntry> clients = process.clients.iterator();
        while (clients.hasNext()) {
            ExchangeSpan call = clients.next().span;
            if (!contains(server.span, call)) {
                continue;
            }
            ServerEntry parent = decide(process, call);
            if (parent == server) {
                if (decidedBySameThread) {
                    linkedSameThread++;
                } else {
                    linkedSoleCandidate++;
                }
                children.add(call);
                clients.remove();
            } else if (parent == AMBIGUOUS) {
                ambiguous++;
                clients.remove();
                publish(new Fragment(call, List.of(), 0));
            }
        }
        server.published = true;
        publish(Fragment.of(server.span, children));
    }

    /**
     * The server exchange that caused {@code call}, {@link #AMBIGUOUS}, or null when none known contains it.
     */
    private ServerEntry decide(ProcessExchanges process, ExchangeSpan call) {
        ServerEntry sameThread = null;
        int sameThreadCount = 0;
        ServerEntry containing = null;
        int containingCount = 0;
        int overlapping = 0;
        Iterator<ServerEntry> newestFirst = process.servers.descendingIterator();
        while (newestFirst.hasNext()) {
            ServerEntry s = newestFirst.next();
            if (s.latestEndSoFar < call.startNs()) {
                // this exchange and every one that arrived before it ended before the call began. Not its
                // own end alone: records arrive only roughly in completion order, and a late record must not
                // hide an earlier-arrived exchange that also contains the call
                break;
            }
            if (s.span.startNs() > call.endNs() || s.span.endNs() < call.startNs()) {
                continue;
            }
            overlapping++;
            if (contains(s.span, call)) {
                containingCount++;
                containing = s;
                if (s.span.requestTid() == call.requestTid() || s.span.responseTid() == call.requestTid()) {
                    sameThreadCount++;
                    sameThread = s;
                }
            }
        }
        decidedBySameThread = sameThreadCount == 1;
        if (sameThreadCount == 1) {
            return sameThread;
        }
        if (sameThreadCount == 0 && containingCount == 1 && overlapping == 1) {
            return containing;
        }
        return containingCount == 0 ? null : AMBIGUOUS;
    }

    private static boolean contains(ExchangeSpan server, ExchangeSpan call) {
        return server.startNs() <= call.startNs() && call.endNs() <= server.endNs();
    }

    private void publish(Fragment fragment) {
        fragments++;
        out.accept(fragment);
    }

    private static final ServerEntry AMBIGUOUS = new ServerEntry(null, 0, 0);

    private static final class ProcessExchanges {
        /** Arrival order, which is also publication order (each waits the same grace). */
        final ArrayDeque<ServerEntry> servers = new ArrayDeque<>();
        final ArrayDeque<ClientEntry> clients = new ArrayDeque<>();
    }

    private static final class ServerEntry {
        final ExchangeSpan span;
        final long arrivalNs;
        /** The latest end among this exchange and those that arrived before it (removal keeps it a bound). */
        final long latestEndSoFar;
        boolean published;

        ServerEntry(ExchangeSpan span, long arrivalNs, long latestEndSoFar) {
            this.span = span;
            this.arrivalNs = arrivalNs;
            this.latestEndSoFar = latestEndSoFar;
        }
    }

    private record ClientEntry(ExchangeSpan span, long dueNs) {
    }
}
