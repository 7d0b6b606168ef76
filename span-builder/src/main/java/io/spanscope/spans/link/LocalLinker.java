package io.spanscope.spans.link;

import io.spanscope.spans.ExchangeSpan;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.function.Consumer;
import java.util.function.IntPredicate;

/**
 * Makes a process's client calls children of the server exchange that caused them, and publishes each
 * server exchange with its children as a {@link Fragment}.
 *
 * <p>Evidence, strongest first: the capture names the server exchange the call's thread worked on behalf of
 * (the kernel followed the request across thread wakeups: {@link ExchangeSpan#causeGeneration()}) and the
 * call lies inside it in time; the capture says the call's completion woke the thread that then answered
 * exactly one server exchange (followed backwards from the call's response:
 * {@link ExchangeSpan#completedCallGeneration()}), that exchange contains the call, and no cause names
 * another; the call was made by the thread that read or answered the server request
 * and lies inside it in time; or it lies inside the only server exchange of its process that overlaps it.
 * A named cause is never overruled: when the thread rule or a completion picks another exchange, or the named
 * exchange does not contain the call, the call is left unlinked; while the named exchange has not arrived, the
 * call waits. A call claimed as completed by two server exchanges is left unlinked.
 * The second rule also needs {@link ServerConcurrency} to rule out a longer request of the same process
 * still in flight (its record not yet come). Anything else is ambiguous and the call is published
 * unlinked: a missing link is visible and honest, a wrong one silently corrupts a trace.
 *
 * <p>Records of one process reach the builder from several parser workers, so a call's record may come
 * shortly after the record of the server exchange containing it: server exchanges wait
 * {@link LinkerConfig#serverGraceNs()} before publication, calls of serving processes wait at most
 * {@link LinkerConfig#clientHoldNs()} for their server exchange. Calls of processes that serve nothing are
 * published at once. Single-threaded: all methods are called from the span builder's thread.
 *
 * <p>Cost: held calls are indexed by start time and server exchanges by thread, so publishing a server
 * exchange looks only at the calls inside it and deciding a call only at its thread's exchanges.
 */
public final class LocalLinker {

    private final LinkerConfig config;
    private final IntPredicate servesRequests;
    private final ServerConcurrency concurrency;
    private final Consumer<Fragment> out;
    private final Map<Integer, ProcessExchanges> processes = new HashMap<>();
    private volatile long linkedByCause;
    private volatile long linkedByCompletion;
    private volatile long linkedSameThread;
    private volatile long linkedSoleCandidate;
    private volatile long linkedLate;
    private volatile long ambiguous;
    private volatile long unlinked;
    private volatile long fragments;
    private volatile long causesRefused;
    private volatile long unclaimingAlternativesSetAside;
    private final CallingThreads callingThreads;
    private final RecentCallEnds recentCallEnds;
    /** Set by {@link #decide}: what its answer rests on. */
    private Evidence decidedBy = Evidence.NONE;
    /** Set by {@link #decide}: whether it set aside the call's cause (inherited on a multiplexer thread). */
    private boolean causeRefused;
    /** Set by {@link #decide}: whether it set aside an unclaiming alternative ({@link #waitedForLaterCall}). */
    private boolean alternativeSetAside;

    private enum Evidence { NONE, CAUSE, COMPLETION, SAME_THREAD, SOLE_CANDIDATE }

    /**
     * @param servesRequests whether a process has accepted connections, so its calls may belong to a
     *                       server exchange whose record is still to come
     */
    public LocalLinker(LinkerConfig config, IntPredicate servesRequests, Consumer<Fragment> out) {
        this(config, servesRequests, ServerConcurrency.RECORDS_ONLY, out);
    }

    /**
     * @param concurrency whether a process may have had several requests in flight during a call
     */
    public LocalLinker(LinkerConfig config, IntPredicate servesRequests, ServerConcurrency concurrency,
                       Consumer<Fragment> out) {
        this.config = config;
        this.servesRequests = servesRequests;
        this.concurrency = concurrency;
        this.out = out;
        this.callingThreads = new CallingThreads(config.serverHistoryNs());
        this.recentCallEnds = new RecentCallEnds(config.serverHistoryNs());
    }

    public void offer(ExchangeSpan span, long nowNs) {
        ProcessExchanges process = processes.get(span.tgid());
        if (span.isServer()) {
            if (process == null) {
                process = new ProcessExchanges();
                processes.put(span.tgid(), process);
            }
            process.addServer(span, nowNs);
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
        callingThreads.record(span);
        recentCallEnds.record(span);
        ServerEntry parent = decide(process, span);
        if (parent == AMBIGUOUS || (parent != null && parent.published)) {
            countRefusedCause();
        }
        if (parent == AMBIGUOUS) {
            ambiguous++;
            publish(new Fragment(span, List.of(), 0));
        } else if (parent != null && parent.published) {
            linkedLate++;
            countSetAsideAlternative();
            publish(new Fragment(span, List.of(), parent.span.spanId()));
        } else {
            process.holdClient(span, nowNs + config.clientHoldNs());
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
            ClientEntry due;
            while ((due = process.pollDueClient(nowNs)) != null) {
                unlinked++;
                publish(new Fragment(due.span, List.of(), 0));
            }
            while (!process.servers.isEmpty() && process.servers.peekFirst().published
                    && process.servers.peekFirst().arrivalNs + config.serverHistoryNs() <= nowNs) {
                process.removeOldestServer();
            }
            if (process.servers.isEmpty() && process.heldClients() == 0) {
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
            ClientEntry client;
            while ((client = process.pollDueClient(Long.MAX_VALUE)) != null) {
                unlinked++;
                publish(new Fragment(client.span, List.of(), 0));
            }
        }
        processes.clear();
    }

    public LinkerStats stats() {
        return new LinkerStats(linkedSameThread, linkedSoleCandidate, linkedLate, ambiguous, unlinked, fragments,
                linkedByCause, linkedByCompletion, causesRefused, unclaimingAlternativesSetAside);
    }

    /** Number of exchanges held back, waiting for evidence. */
    public int held() {
        int n = 0;
        for (ProcessExchanges p : processes.values()) {
            n += p.heldClients();
            for (ServerEntry s : p.servers) {
                n += s.published ? 0 : 1;
            }
        }
        return n;
    }

    private void publishServer(ProcessExchanges process, ServerEntry server) {
        List<ExchangeSpan> children = new ArrayList<>();
        Iterator<ClientEntry> clients = process.heldStartingWithin(server.span.startNs(), server.span.endNs());
        while (clients.hasNext()) {
            ClientEntry entry = clients.next();
            ExchangeSpan call = entry.span;
            if (!contains(server.span, call)) {
                continue;
            }
            ServerEntry parent = decide(process, call);
            if (parent == server || parent == AMBIGUOUS) {
                countRefusedCause();
            }
            if (parent == server) {
                switch (decidedBy) {
                    case CAUSE -> linkedByCause++;
                    case COMPLETION -> {
                        linkedByCompletion++;
                        countSetAsideAlternative();
                    }
                    case SAME_THREAD -> linkedSameThread++;
                    default -> linkedSoleCandidate++;
                }
                children.add(call);
                clients.remove();
                entry.released = true;
            } else if (parent == AMBIGUOUS) {
                ambiguous++;
                clients.remove();
                entry.released = true;
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
        alternativeSetAside = false;
        ServerEntry completed = call.requestSequence() >= 0 && call.responseSequence() >= 0
                ? process.serversByCompletedCall.get(new ServerKey(call.connectionGeneration(), call.responseSequence()))
                : null;
        ServerEntry namedByCause = call.hasCause()
                ? process.serversByKey.get(new ServerKey(call.causeGeneration(), call.causeSequence()))
                : null;
        // a cause handed to a thread that writes the calls of several requests may be another request's: such
        // a call is decided as if it named none (the kernel no longer stamps these once it has seen the thread
        // multiplex; this covers the calls it wrote before)
        causeRefused = namedByCause != null && !madeOnThreadOf(namedByCause.span, call)
                && callingThreads.isMultiplexer(call);
        boolean hasCause = call.hasCause() && !causeRefused;
        if (!hasCause && completed == null) {
            return decideByThreadAndTime(process, call);
        }
        ServerEntry named = hasCause ? namedByCause : completed;
        if (named == null) {
            decidedBy = Evidence.NONE;
            return null; // its server exchange may still come: the call waits for it (at most clientHold)
        }
        ServerEntry byThread = decideByThreadAndTime(process, call);
        boolean threadRuleDisagrees = byThread != null && byThread != AMBIGUOUS && byThread != named;
        boolean completionDisagrees = completed != null && completed != named;
        if (named == AMBIGUOUS || !contains(named.span, call) || threadRuleDisagrees || completionDisagrees
                || (!hasCause && completionOverruled(process, named, call))) {
            decidedBy = Evidence.NONE;
            return AMBIGUOUS;
        }
        decidedBy = hasCause ? Evidence.CAUSE : Evidence.COMPLETION;
        return named;
    }

    /**
     * A completion names the call whose end woke the server's thread last before it answered. When that thread
     * itself made another call inside the exchange that ended later, it waited for that one after the named
     * call ended, so the named call was not the last: the kernel's completion crossed (measured with
     * HttpClient.send, where the handler sometimes writes its own request and a client worker holding another
     * request's response woke it). Likewise when any thread made a call inside the exchange that ended later
     * and no other exchange claims it: that call may be the exchange's own, whose completion a relay thread
     * still holding an older call's passed on under the older name (seen with HttpClient.sendAsync, where the
     * continuation threads are shared by every request and a handler whose call finished early never sleeps,
     * so nobody else claims the older call).
     */
    private boolean completionOverruled(ProcessExchanges process, ServerEntry claimant, ExchangeSpan call) {
        ExchangeSpan server = claimant.span;
        if (callingThreads.endedWithin(server.tgid(), server.requestTid(), call, call.endNs(), server.endNs())
                || (server.responseTid() != server.requestTid() && callingThreads.endedWithin(server.tgid(),
                        server.responseTid(), call, call.endNs(), server.endNs()))) {
            return true;
        }
        return unclaimedCallEndedBetween(process, claimant, call, server.endNs())
                || hasUnclaimingAlternative(process, claimant, call);
    }

    /**
     * Whether a call other than {@code call} that started inside {@code owner}'s exchange, and that no other
     * exchange claims, ended after {@code call} and no later than {@code untilNs}.
     */
    private boolean unclaimedCallEndedBetween(ProcessExchanges process, ServerEntry owner, ExchangeSpan call,
                                              long untilNs) {
        ExchangeSpan server = owner.span;
        for (ExchangeSpan later : recentCallEnds.endedBetween(server.tgid(), call.endNs(), untilNs)) {
            if (later != call && later.startNs() >= server.startNs() && !claimedByAnother(process, later, owner)) {
                return true;
            }
        }
        return false;
    }

    /**
     * Whether another server exchange known here also contains the call and claims no completion: the call may be
     * its own, finished before its handler waited (a handler that finds its reply ready never sleeps, so it
     * claims nothing), while a relay thread passed the completion on to the claimant. Not an alternative: one
     * whose handler was still waiting for a later call of its own after the named call ended
     * ({@link #waitedForLaterCall}).
     */
    private boolean hasUnclaimingAlternative(ProcessExchanges process, ServerEntry claimant, ExchangeSpan call) {
        Iterator<ServerEntry> newestFirst = process.servers.descendingIterator();
        while (newestFirst.hasNext()) {
            ServerEntry s = newestFirst.next();
            if (s.latestEndSoFar < call.startNs()) {
                return false;
            }
            if (s != claimant && !s.span.hasCompletedCall() && contains(s.span, call)
                    && !waitedForLaterCall(process, s, call)) {
                return true;
            }
        }
        return false;
    }

    /**
     * Whether the alternative's handler slept after {@code call} ended, woken by a client thread (the kernel's
     * {@link ExchangeSpan#clientWokenNs()}), and a call inside the alternative that no other exchange claims ended
     * between the two: the handler was then waiting for that later call, not finding {@code call}'s reply ready.
     * Both halves matter: a handler may sleep for other reasons (a caller pool handing it the future) and
     * then find its reply ready, and a client thread that ran one request's continuation may wake another's
     * handler; without a later call to wait for, the wakeup explains nothing.
     */
    private boolean waitedForLaterCall(ProcessExchanges process, ServerEntry alternative, ExchangeSpan call) {
        long wokenNs = alternative.span.clientWokenNs();
        if (wokenNs <= call.endNs() || !unclaimedCallEndedBetween(process, alternative, call, wokenNs)) {
            return false;
        }
        alternativeSetAside = true;
        return true;
    }

    private static boolean claimedByAnother(ProcessExchanges process, ExchangeSpan call, ServerEntry claimant) {
        if (call.requestSequence() < 0 || call.responseSequence() < 0) {
            return false;
        }
        ServerEntry claimedBy = process.serversByCompletedCall.get(
                new ServerKey(call.connectionGeneration(), call.responseSequence()));
        return claimedBy != null && claimedBy != AMBIGUOUS && claimedBy != claimant;
    }

    private static boolean madeOnThreadOf(ExchangeSpan server, ExchangeSpan call) {
        return call.requestTid() == server.requestTid() || call.requestTid() == server.responseTid();
    }

    private void countSetAsideAlternative() {
        if (decidedBy == Evidence.COMPLETION && alternativeSetAside) {
            unclaimingAlternativesSetAside++;
        }
    }

    private void countRefusedCause() {
        if (causeRefused) {
            causesRefused++;
        }
    }

    private ServerEntry decideByThreadAndTime(ProcessExchanges process, ExchangeSpan call) {
        ServerEntry sameThread = null;
        int sameThreadCount = 0;
        int containingCount = 0;
        ArrayDeque<ServerEntry> threadServers = process.serversByThread.get(call.requestTid());
        if (threadServers != null) {
            Iterator<ServerEntry> newestFirst = threadServers.descendingIterator();
            while (newestFirst.hasNext()) {
                ServerEntry s = newestFirst.next();
                if (s.latestThreadEndSoFar < call.startNs()) {
                    break;
                }
                if (contains(s.span, call)) {
                    sameThreadCount++;
                    sameThread = s;
                }
            }
        }
        decidedBy = sameThreadCount == 1 ? Evidence.SAME_THREAD : Evidence.SOLE_CANDIDATE;
        if (sameThreadCount == 1) {
            return sameThread;
        }
        if (sameThreadCount > 1) {
            return AMBIGUOUS;
        }
        if (concurrency.mayOverlap(call.tgid(), call.startNs(), call.endNs())) {
            // other requests may have been in flight, some perhaps not yet recorded: only thread identity counts
            return process.anyContains(call) ? AMBIGUOUS : null;
        }
        ServerEntry containing = null;
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
            }
        }
        if (containingCount == 1 && overlapping == 1) {
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
        /** The same entries by (connection generation, request sequence): what a call's cause names. */
        final Map<ServerKey, ServerEntry> serversByKey = new HashMap<>();
        /**
         * The same entries by the client call (connection generation, response sequence) whose completion woke
         * their responding thread; {@link #AMBIGUOUS} where two exchanges claim one call.
         */
        final Map<ServerKey, ServerEntry> serversByCompletedCall = new HashMap<>();
        /** The same entries per thread that read or answered them, in arrival order. */
        final Map<Integer, ArrayDeque<ServerEntry>> serversByThread = new HashMap<>();
        /** Held calls by start time (then arrival), for "which calls lie inside this exchange". */
        private final TreeMap<ClientKey, ClientEntry> heldByStart = new TreeMap<>();
        /** Held calls in arrival order, which is also their expiry order. */
        private final ArrayDeque<ClientEntry> heldByArrival = new ArrayDeque<>();
        private long arrivals;

        void addServer(ExchangeSpan span, long nowNs) {
            ServerEntry previous = servers.peekLast();
            long latestEnd = previous == null ? span.endNs() : Math.max(previous.latestEndSoFar, span.endNs());
            ServerEntry entry = new ServerEntry(span, nowNs, latestEnd);
            servers.addLast(entry);
            if (span.requestSequence() >= 0) {
                serversByKey.put(new ServerKey(span.connectionGeneration(), span.requestSequence()), entry);
            }
            if (span.hasCompletedCall()) {
                serversByCompletedCall.merge(completedCallKey(span), entry, (claimed, again) -> AMBIGUOUS);
            }
            index(span.requestTid(), entry);
            if (span.responseTid() != span.requestTid()) {
                index(span.responseTid(), entry);
            }
        }

        private void index(int tid, ServerEntry entry) {
            ArrayDeque<ServerEntry> byThread = serversByThread.computeIfAbsent(tid, t -> new ArrayDeque<>());
            ServerEntry previous = byThread.peekLast();
            entry.latestThreadEndSoFar = previous == null ? entry.span.endNs()
                    : Math.max(previous.latestThreadEndSoFar, entry.span.endNs());
            byThread.addLast(entry);
        }

        void removeOldestServer() {
            ServerEntry oldest = servers.pollFirst();
            serversByKey.remove(new ServerKey(oldest.span.connectionGeneration(), oldest.span.requestSequence()),
                    oldest);
            if (oldest.span.hasCompletedCall()) {
                // a double claim's marker goes with the older claimant: its call was decided long before
                serversByCompletedCall.computeIfPresent(completedCallKey(oldest.span),
                        (key, claimant) -> claimant == oldest || claimant == AMBIGUOUS ? null : claimant);
            }
            unindex(oldest.span.requestTid(), oldest);
            unindex(oldest.span.responseTid(), oldest);
        }

        private static ServerKey completedCallKey(ExchangeSpan server) {
            return new ServerKey(server.completedCallGeneration(), server.completedCallSequence());
        }

        private void unindex(int tid, ServerEntry entry) {
            ArrayDeque<ServerEntry> byThread = serversByThread.get(tid);
            if (byThread != null && byThread.peekFirst() == entry) {
                byThread.pollFirst();
                if (byThread.isEmpty()) {
                    serversByThread.remove(tid);
                }
            }
        }

        boolean anyContains(ExchangeSpan call) {
            Iterator<ServerEntry> newestFirst = servers.descendingIterator();
            while (newestFirst.hasNext()) {
                ServerEntry s = newestFirst.next();
                if (s.latestEndSoFar < call.startNs()) {
                    return false;
                }
                if (contains(s.span, call)) {
                    return true;
                }
            }
            return false;
        }

        void holdClient(ExchangeSpan span, long dueNs) {
            ClientEntry entry = new ClientEntry(span, dueNs, new ClientKey(span.startNs(), arrivals++));
            heldByStart.put(entry.key, entry);
            heldByArrival.addLast(entry);
        }

        /** Held calls whose start lies in [fromNs, toNs]; {@code remove()} on the iterator releases one. */
        Iterator<ClientEntry> heldStartingWithin(long fromNs, long toNs) {
            return heldByStart.subMap(new ClientKey(fromNs, Long.MIN_VALUE), true, new ClientKey(toNs, Long.MAX_VALUE),
                    true).values().iterator();
        }

        /** The oldest held call due at {@code nowNs}, removed; null when none is due. */
        ClientEntry pollDueClient(long nowNs) {
            while (!heldByArrival.isEmpty()) {
                ClientEntry first = heldByArrival.peekFirst();
                if (first.released) {
                    heldByArrival.pollFirst();
                    continue;
                }
                if (first.dueNs > nowNs) {
                    return null;
                }
                heldByArrival.pollFirst();
                heldByStart.remove(first.key);
                return first;
            }
            return null;
        }

        int heldClients() {
            return heldByStart.size();
        }
    }

    private static final class ServerEntry {
        final ExchangeSpan span;
        final long arrivalNs;
        /** The latest end among this exchange and those that arrived before it (removal keeps it a bound). */
        final long latestEndSoFar;
        /** The same, among the exchanges of this entry's thread deque. */
        long latestThreadEndSoFar;
        boolean published;

        ServerEntry(ExchangeSpan span, long arrivalNs, long latestEndSoFar) {
            this.span = span;
            this.arrivalNs = arrivalNs;
            this.latestEndSoFar = latestEndSoFar;
        }
    }

    private record ServerKey(long connectionGeneration, long requestSequence) {
    }

    private record ClientKey(long startNs, long arrival) implements Comparable<ClientKey> {
        @Override
        public int compareTo(ClientKey o) {
            int c = Long.compare(startNs, o.startNs);
            return c != 0 ? c : Long.compare(arrival, o.arrival);
        }
    }

    private static final class ClientEntry {
        final ExchangeSpan span;
        final long dueNs;
        final ClientKey key;
        boolean released;

        ClientEntry(ExchangeSpan span, long dueNs, ClientKey key) {
            this.span = span;
            this.dueNs = dueNs;
            this.key = key;
        }
    }
}
