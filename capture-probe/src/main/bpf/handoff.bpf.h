/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Thread hand-offs: which server request a thread works on behalf of, carried from the thread that
 * read the request to a thread it wakes, and stamped on the client requests that thread writes; and,
 * backwards, which client call's completion woke the thread serving a request, stamped on that
 * request's response (see "Completions" below), with when a client thread last woke it ("Client wakeups").
 *
 * A thread's "cause" is (generation of a server connection, TCP sequence of the first byte of the
 * request read on it). Rules, all for precision first (a stamp must never name the wrong request):
 *  - DIRECT: set when the thread reads a request on a server connection; ends when it writes on that
 *    connection (the response). Reading a different request while one is live (an event loop
 *    serving several connections) makes the thread AMBIGUOUS. Wakeups never change a direct cause.
 *  - Hand-off: a thread with a live, unambiguous DIRECT cause wakes another thread of its process
 *    (sched_waking / sched_wakeup_new run in the waker's context); the woken thread inherits it. One
 *    hop only: a pool thread passes work for many requests on, so what it wakes says nothing reliable
 *    (measured: passing inherited causes on gave wrong links, even when moved instead of copied).
 *  - A thread holding a live inherited cause that is woken for another cause becomes AMBIGUOUS:
 *    lock and GIL hand-overs wake threads that are busy with other work.
 *  - Crossing: threads woken to drain a shared queue take whichever item is first, not the one their
 *    waker queued (measured with a Java fixed pool and a Python ThreadPoolExecutor). So an inherited
 *    cause is stamped only if no hand-off of a different cause happened in the process between its
 *    own hand-off and the stamp, and a hand-off made while the previous one of another cause is still
 *    held unconsumed makes both ambiguous. A wakeup by a thread without a direct cause in such a
 *    process (a selector or pool thread relaying work) counts as a hand-off of unknown cause.
 *  - An inherited cause is consumed by the first client request it stamps; every cause expires
 *    cause_ttl_ns after it was last set, an ambiguity too.
 *  - Multiplexers: a thread seen writing a client request while one it wrote before is still unanswered
 *    by it (an HTTP client's worker or selector, an event loop) stamps no inherited cause for the rest of
 *    its life: handlers that queue work while it is awake wake nobody, so what woke it says nothing about
 *    the request it writes next (see request_written).
 *  - Interrupts: a wakeup made in interrupt context (a timer, a packet in softirq) runs on whichever thread
 *    the interrupt found; it names no waker and counts as a hand-off of unknown cause (see in_interrupt).
 * Everything stays in maps: no ring-buffer event per wakeup.
 *
 * Included by socket_trace.bpf.c after its maps and helpers (get_config, count_add, st_conn).
 */
#ifndef SPANSCOPE_HANDOFF_BPF_H
#define SPANSCOPE_HANDOFF_BPF_H

#define ST_CAUSE_DIRECT 0x1    /* the thread read the request itself */
#define ST_CAUSE_AMBIGUOUS 0x2 /* different causes reached the thread: it stamps nothing */

/* st_cause.done_state: where the completion of one client call stands on this thread */
#define ST_DONE_NONE 0
#define ST_DONE_READ 1      /* the thread read the call's response itself */
#define ST_DONE_RELAYED 2   /* the thread that read it woke this one (serving no request) first */
#define ST_DONE_DELIVERED 3 /* it reached this thread, which serves a request: its response names the call */
#define ST_DONE_AMBIGUOUS 4 /* two calls, or a second waker, reached the thread: it passes nothing on */
/* A completion is handed on within microseconds; a stale one is not evidence. */
#define ST_DONE_TTL_NS 200000000ull

struct st_cause {
	__u64 generation;
	__u64 set_ns;
	__u64 handoff_no;  /* inherited: the process's hand-off count when this one was made */
	__u32 seq;
	__u32 flags;
	/* Completion (see "Completions" below): a client call whose response this thread read or was
	 * handed; independent of the cause above. */
	__u64 done_generation; /* the client connection's generation */
	__u64 done_ns;         /* when the state was last set; the state lasts ST_DONE_TTL_NS */
	__u32 done_seq;        /* TCP sequence of the first byte of the call's response */
	__u32 done_state;      /* ST_DONE_* */
	__u32 done_relayer;    /* RELAYED: the thread that relayed it (waking it back decides nothing) */
	/* Client requests the thread writes (see "Multiplexers" below) */
	__u8 awaiting_response; /* it wrote a request and has read no response since */
	__u8 multiplexer;       /* it once wrote a request while another of its own was unanswered */
	__u8 client_writer;     /* it has written client requests (an HTTP client's worker, a pool thread) */
	__u8 client_reader;     /* it has read responses on client connections */
	/* While serving a request (see "Client wakeups"): when a client thread last woke it */
	__u64 client_woken_ns;
};

struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, 65536);
	__type(key, __u32); /* thread id */
	__type(value, struct st_cause);
} thread_causes SEC(".maps");

/*
 * Per process: its hand-offs so far, the latest one, and the last one whose cause differed from its
 * predecessor's; and the latest relayed completion (see record_relay).
 */
struct st_process_handoffs {
	__u64 count;
	__u64 last_change_no;
	__u64 last_generation;
	__u32 last_seq;
	__u32 last_wakee;
	__u64 done_generation; /* the call of the latest completion relayed in the process */
	__u32 done_seq;
	__u32 done_holder;     /* the thread it was relayed to */
};

struct {
	__uint(type, BPF_MAP_TYPE_LRU_HASH);
	__uint(max_entries, 4096);
	__type(key, __u32); /* tgid */
	__type(value, struct st_process_handoffs);
} process_handoffs SEC(".maps");

static __always_inline __u64 handoff_ttl(void)
{
	struct st_config *cfg = get_config();

	return cfg && (cfg->handoff_flags & ST_HANDOFF_ENABLED) ? cfg->cause_ttl_ns : 0;
}

static __always_inline bool same_cause(const struct st_cause *c, __u64 generation, __u32 seq)
{
	return c->generation == generation && c->seq == seq;
}

/*
 * The thread's cause, or NULL when it has none or it expired. Ended causes stay in the map with
 * set_ns = 0 (expired) until the thread's next cause overwrites them in place, or the thread exits.
 */
static __always_inline struct st_cause *live_cause(__u32 tid, __u64 now, __u64 ttl)
{
	struct st_cause *cause = bpf_map_lookup_elem(&thread_causes, &tid);

	return cause && now - cause->set_ns <= ttl ? cause : NULL;
}

static __always_inline void make_ambiguous(struct st_cause *cause, __u64 now)
{
	if (!(cause->flags & ST_CAUSE_AMBIGUOUS))
		count_add(ST_CTR_CAUSE_CONFLICTS, 1);
	cause->flags |= ST_CAUSE_AMBIGUOUS;
	cause->set_ns = now; /* the ambiguity lasts a ttl from the latest conflict */
}

static __always_inline void set_cause(__u32 tid, __u64 generation, __u32 seq, __u32 flags, __u64 handoff_no,
				      __u64 now)
{
	struct st_cause fresh = {
		.generation = generation, .set_ns = now, .handoff_no = handoff_no, .seq = seq, .flags = flags,
	};
	struct st_cause *held = bpf_map_lookup_elem(&thread_causes, &tid);

	if (held) { /* in place: the entry's completion is not the cause's business */
		held->generation = generation;
		held->set_ns = now;
		held->handoff_no = handoff_no;
		held->seq = seq;
		held->flags = flags;
		return;
	}
	if (bpf_map_update_elem(&thread_causes, &tid, &fresh, BPF_ANY))
		count_add(ST_CTR_CAUSE_TABLE_FULL, 1);
}

/* The thread read (part of) the request at `seq` on server connection `generation`. */
static __always_inline void direct_cause(__u32 tid, __u64 generation, __u32 seq, __u64 now, __u64 ttl)
{
	struct st_cause *held = bpf_map_lookup_elem(&thread_causes, &tid);

	if (!held) {
		set_cause(tid, generation, seq, ST_CAUSE_DIRECT, 0, now);
		return;
	}
	if (now - held->set_ns > ttl || !(held->flags & ST_CAUSE_DIRECT)) {
		/* expired, ended by the previous response, or inherited: reading replaces it, in place (a
		 * thread serving requests one after another costs no map insertion per request) */
		held->generation = generation;
		held->seq = seq;
		held->set_ns = now;
		held->handoff_no = 0;
		held->flags = ST_CAUSE_DIRECT;
		held->done_state = ST_DONE_NONE; /* a new request: nothing has completed for it yet */
		held->client_woken_ns = 0;
		return;
	}
	if (!same_cause(held, generation, seq)) {
		make_ambiguous(held, now);
		return;
	}
	if (!(held->flags & ST_CAUSE_AMBIGUOUS))
		held->set_ns = now;
}

/*
 * Records a hand-off in its process; returns its number, with bit 63 set when it crosses the
 * previous one (of another cause, whose wakee still holds it unconsumed).
 */
static __always_inline __u64 record_handoff(__u32 tgid, __u32 woken, __u64 generation, __u32 seq, __u64 now)
{
	struct st_process_handoffs *p = bpf_map_lookup_elem(&process_handoffs, &tgid);
	struct st_process_handoffs first = {
		.count = 1, .last_change_no = 1, .last_generation = generation, .last_seq = seq, .last_wakee = woken,
	};
	struct st_cause *previous;
	bool crosses = false;
	__u64 number;

	if (!p) {
		bpf_map_update_elem(&process_handoffs, &tgid, &first, BPF_ANY);
		return 1;
	}
	number = __sync_add_and_fetch(&p->count, 1);
	if (p->last_generation != generation || p->last_seq != seq) {
		p->last_change_no = number;
		previous = p->last_wakee == woken ? NULL : bpf_map_lookup_elem(&thread_causes, &p->last_wakee);
		if (previous && !(previous->flags & ST_CAUSE_DIRECT) &&
		    same_cause(previous, p->last_generation, p->last_seq)) {
			make_ambiguous(previous, now);
			crosses = true;
		}
	}
	p->last_generation = generation;
	p->last_seq = seq;
	p->last_wakee = woken;
	return number | (crosses ? 1ull << 63 : 0);
}

/*
 * A thread without a direct cause woke another one in a process that hands off: work may have been
 * relayed (a selector thread, a pool thread passing a task on) for any request. Counted as a
 * hand-off of unknown cause, so that no inherited cause made before it is stamped after it.
 */
static __always_inline void relayed_wakeup(__u32 tgid)
{
	struct st_process_handoffs *p = bpf_map_lookup_elem(&process_handoffs, &tgid);

	if (p) {
		p->last_change_no = __sync_add_and_fetch(&p->count, 1);
		p->last_generation = 0;
		p->last_wakee = 0;
	}
}

/* Whether a hand-off of another cause happened in the process after hand-off `number`. */
static __always_inline bool overtaken(__u32 tgid, __u64 number)
{
	struct st_process_handoffs *p = bpf_map_lookup_elem(&process_handoffs, &tgid);

	return !p || p->last_change_no > number;
}

/*
 * Completions: the same causality read backwards. A thread that waits for a call made on its behalf
 * (Future.get, HttpClient.send) is woken by the thread that finished that call, and that wakeup names
 * exactly the waiter, even where the forward hand-off crossed (a shared queue). Traced for a JDK
 * HttpServer handler: with a fixed pool, the worker reads the response and wakes the handler (one hop);
 * with HttpClient.send, the selector thread reads it and wakes a client worker, which wakes the handler
 * (two hops). The completion travels with these rules, precision first:
 *  - READ: set when a thread that serves no request reads a response on a client connection (a handler
 *    calling out itself needs no completion: the same-thread rule links it). Reading a second response
 *    before handing the first on makes it AMBIGUOUS.
 *  - A READ or RELAYED thread that wakes a thread serving a request (a live, unambiguous direct cause)
 *    DELIVERS it there and keeps nothing. A READ thread that wakes a thread serving nothing RELAYS it
 *    (moved, not copied): one relay hop, because a relayed thread's own later wakeups (a selector's
 *    wakeup pipe, a lock it releases) say nothing about the call. An AMBIGUOUS thread's next wakeup
 *    spends the ambiguity without passing anything.
 *  - A RELAYED thread that starts a thread or wakes another thread that writes client requests has handed
 *    the call's continuation on: its state ends (with sendAsync the client worker starts a thread for the
 *    completion stage and later woke an unrelated handler: wrong links in 2 of 3 runs). Waking its relayer
 *    back (the selector's wakeup pipe) or a thread outside traced traffic (the JIT compiler) decides nothing.
 *  - A thread that writes a request on a client connection has moved on: its READ/RELAYED state ends.
 *  - A thread holding a DELIVERED completion that another thread of its process wakes again (a lock
 *    hand-over, another call's completion) becomes AMBIGUOUS.
 *  - The serving thread's response (its first chunk on the server connection of its direct cause) carries
 *    the delivered call, flagged ST_FLAG_COMPLETION; the state ends there, and when a new request is read.
 * The linker still checks that the call lies inside the request and that no other evidence disagrees.
 */
static __always_inline bool done_live(const struct st_cause *c, __u64 now)
{
	return c->done_state != ST_DONE_NONE && now - c->done_ns <= ST_DONE_TTL_NS;
}

static __always_inline bool serving(const struct st_cause *c, __u64 now, __u64 ttl)
{
	return (c->flags & (ST_CAUSE_DIRECT | ST_CAUSE_AMBIGUOUS)) == ST_CAUSE_DIRECT && now - c->set_ns <= ttl;
}

static __always_inline void set_done(struct st_cause *c, __u64 generation, __u32 seq, __u32 state, __u64 now)
{
	c->done_generation = generation;
	c->done_seq = seq;
	c->done_state = state;
	c->done_ns = now;
}

static __always_inline void done_conflict(struct st_cause *c, __u64 now)
{
	if (c->done_state != ST_DONE_AMBIGUOUS)
		count_add(ST_CTR_COMPLETION_CONFLICTS, 1);
	c->done_state = ST_DONE_AMBIGUOUS;
	c->done_ns = now;
}

/*
 * Interpreters with a global lock (CPython's GIL, Ruby's GVL) hand the lock to a waiting thread by a
 * wakeup around every blocking call, including the reads of a response: there the first wakeup after a
 * response says nothing about who waits for it. Measured: on a Python ThreadPoolExecutor, 3 of 100
 * completions reached the thread of another request. Completions do not start in such processes,
 * recognised by the process name (the group leader's comm, which thread names do not change).
 */
static __always_inline bool global_lock_runtime(void)
{
	struct task_struct *task = bpf_get_current_task_btf();
	char name[8];

	if (bpf_probe_read_kernel(name, sizeof(name), task->group_leader->comm))
		return false;
	return (name[0] == 'p' && name[1] == 'y' && name[2] == 't' && name[3] == 'h' && name[4] == 'o' &&
		name[5] == 'n') ||
	       (name[0] == 'r' && name[1] == 'u' && name[2] == 'b' && name[3] == 'y');
}

/* The thread read (part of) the response that begins at `seq` on client connection `generation`. */
static __always_inline void response_read(__u32 tid, __u64 generation, __u32 seq, __u64 now, __u64 ttl)
{
	struct st_cause *held;
	struct st_cause fresh = {
		.done_generation = generation, .done_ns = now, .done_seq = seq, .done_state = ST_DONE_READ,
		.client_reader = 1,
	};

	held = bpf_map_lookup_elem(&thread_causes, &tid);
	if (held) {
		held->awaiting_response = 0;
		held->client_reader = 1;
	}
	if (held && serving(held, now, ttl))
		return;
	if (held && done_live(held, now)) {
		/* a completion already started here, so this is not a global-lock process */
		if (held->done_state == ST_DONE_AMBIGUOUS || held->done_generation != generation || held->done_seq != seq)
			done_conflict(held, now);
		else
			held->done_ns = now; /* more of the same response */
		return;
	}
	if (global_lock_runtime())
		return; /* only where a completion would start: serving threads and responses read in parts skip it */
	if (!held) {
		if (bpf_map_update_elem(&thread_causes, &tid, &fresh, BPF_ANY))
			count_add(ST_CTR_CAUSE_TABLE_FULL, 1);
		return;
	}
	set_done(held, generation, seq, ST_DONE_READ, now);
}

/*
 * Multiplexers: a thread that writes the requests of several handlers (an HTTP client's selector or
 * worker threads, an event loop) is woken by one handler, but handlers that queue work while it is awake
 * wake nobody, so the first request it writes after the wakeup may be another handler's. Such a thread
 * shows itself by writing a request while one it wrote before is still unanswered by it (it read no
 * response since); a thread that calls and waits (a worker woken by a request making calls one after the
 * other) never does. From then on, for the rest of its life, its inherited causes are not stamped. The
 * first requests it writes before it is recognised are left to the linker, which refuses a cause on a
 * call whose thread had another call in flight at the same time.
 * `held` is the thread's entry or NULL; returns the entry, created if needed (NULL when the table is full).
 */
static __always_inline struct st_cause *request_written(__u32 tid, struct st_cause *held)
{
	struct st_cause fresh = { .awaiting_response = 1, .client_writer = 1 };

	if (!held) {
		if (bpf_map_update_elem(&thread_causes, &tid, &fresh, BPF_NOEXIST)) {
			count_add(ST_CTR_CAUSE_TABLE_FULL, 1);
			return NULL;
		}
		return bpf_map_lookup_elem(&thread_causes, &tid);
	}
	if (held->awaiting_response && !held->multiplexer) {
		held->multiplexer = 1;
		count_add(ST_CTR_MULTIPLEXERS, 1);
	}
	held->awaiting_response = 1;
	held->client_writer = 1;
	return held;
}

/* Thread `waker_tid` woke thread `woken` of the same process (`new_thread`: started it). `waker` is its
 * entry: NULL for a thread that never touched a traced socket nor got a cause, and for a wakeup made in
 * interrupt context, which names no waker. */
/*
 * Relay crossing, the mirror of hand-off crossing: client workers resume whichever response's continuation
 * is queued first, not necessarily the one they were woken for (measured with HttpClient.send under load:
 * a worker relayed one call woke the handler of another). So a completion relayed while the previous
 * relayed one in the process, of another call, is still held unconsumed makes both ambiguous. A thread
 * that read the response itself (a pool worker that made the call) runs its own continuation: no relay,
 * no crossing. Records that thread `woken` now holds the call `generation`/`seq`; returns whether it crosses.
 */
static __always_inline bool record_relay(__u32 tgid, __u32 woken, __u64 generation, __u32 seq, __u64 now)
{
	struct st_process_handoffs *p = bpf_map_lookup_elem(&process_handoffs, &tgid);
	struct st_process_handoffs first = { .done_generation = generation, .done_seq = seq, .done_holder = woken };
	struct st_cause *previous;
	bool crosses = false;

	if (!p) {
		bpf_map_update_elem(&process_handoffs, &tgid, &first, BPF_NOEXIST);
		return false;
	}
	if ((p->done_generation != generation || p->done_seq != seq) && p->done_holder != woken) {
		previous = bpf_map_lookup_elem(&thread_causes, &p->done_holder);
		if (previous && done_live(previous, now) && previous->done_state == ST_DONE_RELAYED &&
		    previous->done_generation == p->done_generation && previous->done_seq == p->done_seq) {
			done_conflict(previous, now);
			crosses = true;
		}
	}
	p->done_generation = generation; /* unchanged when the same response, read in parts, is relayed again */
	p->done_seq = seq;
	p->done_holder = woken;
	return crosses;
}

static __always_inline void pass_completion(__u32 tgid, struct st_cause *waker, __u32 waker_tid, __u32 woken,
					    bool new_thread, __u64 now, __u64 ttl)
{
	struct st_cause fresh = {};
	struct st_cause *to;
	bool to_serving;
	__u32 state;

	state = waker && done_live(waker, now) ? waker->done_state : ST_DONE_NONE;
	to = bpf_map_lookup_elem(&thread_causes, &woken);
	to_serving = to && serving(to, now, ttl);
	if (to_serving && waker && (waker->client_writer || waker->client_reader) && !serving(waker, now, ttl))
		to->client_woken_ns = now;
	if (state == ST_DONE_NONE || state == ST_DONE_DELIVERED || state == ST_DONE_AMBIGUOUS) {
		if (state == ST_DONE_AMBIGUOUS)
			waker->done_state = ST_DONE_NONE; /* this wakeup spends the ambiguity */
		/* woken again after its delivery by a thread naming no call (even one without an entry, a
		 * client worker that took the real completion without being woken for it): no telling */
		if (to && to->done_state == ST_DONE_DELIVERED && done_live(to, now))
			done_conflict(to, now);
		return;
	}
	/* READ or RELAYED: the waker finished a call and wakes someone */
	if (state == ST_DONE_RELAYED && woken == waker->done_relayer)
		return; /* waking its relayer back (a selector's wakeup pipe) is part of the hand-over: nothing decided */
	if (to_serving) {
		waker->done_state = ST_DONE_NONE;
		if (!done_live(to, now)) {
			set_done(to, waker->done_generation, waker->done_seq, ST_DONE_DELIVERED, now);
			count_add(ST_CTR_COMPLETIONS_DELIVERED, 1);
		} else if (to->done_state != ST_DONE_DELIVERED || to->done_generation != waker->done_generation ||
			   to->done_seq != waker->done_seq) {
			done_conflict(to, now);
		}
		return;
	}
	if (state != ST_DONE_READ) {
		/* a relayed completion goes to a serving thread only. A relayed thread that starts a thread or
		 * wakes another client thread has handed the call's continuation on (measured with sendAsync: the
		 * client worker holding the call starts a thread for the completion stage, then later wakes an
		 * unrelated handler): it keeps nothing. Waking the JIT compiler or a runtime thread changes nothing. */
		if (new_thread || (to && to->client_writer))
			waker->done_state = ST_DONE_NONE;
		return;
	}
	waker->done_state = ST_DONE_NONE;
	if (!to) {
		set_done(&fresh, waker->done_generation, waker->done_seq, ST_DONE_RELAYED, now);
		fresh.done_relayer = waker_tid;
		if (record_relay(tgid, woken, fresh.done_generation, fresh.done_seq, now)) {
			fresh.done_state = ST_DONE_AMBIGUOUS;
			count_add(ST_CTR_COMPLETION_CONFLICTS, 1);
		}
		if (bpf_map_update_elem(&thread_causes, &woken, &fresh, BPF_ANY))
			count_add(ST_CTR_CAUSE_TABLE_FULL, 1);
		return;
	}
	if (now - to->set_ns <= ttl)
		return; /* works for some request (inherited, or ambiguous): woken by a lock, not for this call; spent */
	if (!done_live(to, now)) {
		set_done(to, waker->done_generation, waker->done_seq, ST_DONE_RELAYED, now);
		to->done_relayer = waker_tid;
		if (record_relay(tgid, woken, to->done_generation, to->done_seq, now))
			done_conflict(to, now);
	} else if (to->done_state == ST_DONE_RELAYED && to->done_generation == waker->done_generation &&
		   to->done_seq == waker->done_seq) {
		to->done_ns = now; /* a response read in parts wakes the same worker for each part */
		record_relay(tgid, woken, to->done_generation, to->done_seq, now);
	} else {
		done_conflict(to, now);
	}
}

/*
 * Client wakeups. A handler that finds its call's reply ready never sleeps and so claims no completion; so
 * does one whose completion went ambiguous. The linker must not take the second for the first (it would refuse
 * a right claim: about 4.6 points of HttpClient.send recall at 1000 x 4), nor the first for the second (a
 * relay that held the first handler's call woke another handler under its name: a wrong link with sendAsync).
 * What tells them apart: whether a client thread — one that has written requests or read responses on client
 * connections and serves no request itself (an HTTP client's selector or worker) — woke the serving thread
 * after the call ended. Each such wakeup of a serving thread records its time (pass_completion); a new request
 * resets it; the response's first chunk carries its age. Interrupt-context wakeups and wakeups by threads that
 * never did client I/O (a caller pool handing the handler its future, a lock) do not count, and wakeups by
 * another process are not seen: every gap leaves the linker's stricter check in place.
 * Returns how long before `now` that was: 0 = never (or 2^32 ns or more ago, too long to say).
 */
static __always_inline __u32 client_wakeup_age(__u64 then, __u64 now)
{
	if (!then || then > now || now - then >= 0xffffffffull)
		return 0;
	return now - then > 0 ? (__u32)(now - then) : 1;
}

/*
 * The first chunk of a response on server connection `conn`: stamps the call delivered to the thread
 * for the request it serves, then ends the thread's completion state.
 */
static __always_inline void stamp_completion(struct st_cause *held, struct st_conn *conn, struct st_data_event *ev,
					     __u64 now, __u64 ttl)
{
	if (held->done_state == ST_DONE_DELIVERED && done_live(held, now) && serving(held, now, ttl) &&
	    held->generation == conn->generation) {
		ev->cause_generation = held->done_generation;
		ev->cause_seq = held->done_seq;
		ev->flags |= ST_FLAG_COMPLETION;
	}
	if (serving(held, now, ttl) && held->generation == conn->generation)
		ev->client_wakeup_age_ns = client_wakeup_age(held->client_woken_ns, ev->hdr.timestamp_ns);
	held->done_state = ST_DONE_NONE;
}

/*
 * Called for every data event of a traced TCP connection, before its chunks are emitted. Tracks where
 * each run of one direction begins on the connection (a request's first byte follows the peer's
 * last byte), sets and ends direct causes on server connections, stamps client requests.
 */
static __always_inline void handoff_on_data(__u64 pid_tgid, struct st_conn *conn, __u32 seq, bool egress,
					    struct st_data_event *ev)
{
	__u64 ttl = handoff_ttl();
	__u8 dir = egress ? 1 : 2;
	__u32 tid = (__u32)pid_tgid;
	struct st_cause *cause;
	bool run_start = false;
	__u64 now;

	if (!ttl)
		return;
	if (conn->run_dir != dir) {
		conn->run_dir = dir;
		conn->run_seq = seq;
		run_start = true;
	}
	now = bpf_ktime_get_ns();
	if (conn->role == ST_ROLE_SERVER) {
		if (!egress) {
			direct_cause(tid, conn->generation, conn->run_seq, now, ttl);
			return;
		}
		cause = bpf_map_lookup_elem(&thread_causes, &tid);
		if (!cause)
			return;
		if (run_start)
			stamp_completion(cause, conn, ev, now, ttl);
		/* the response: this thread's work for the request ends (the entry is kept, expired, for
		 * the thread's next request to reuse) */
		if ((cause->flags & ST_CAUSE_DIRECT) && cause->generation == conn->generation &&
		    !(cause->flags & ST_CAUSE_AMBIGUOUS))
			cause->set_ns = 0;
		return;
	}
	if (conn->role != ST_ROLE_CLIENT)
		return;
	if (!egress) {
		response_read(tid, conn->generation, conn->run_seq, now, ttl);
		return;
	}
	cause = bpf_map_lookup_elem(&thread_causes, &tid);
	if (run_start)
		cause = request_written(tid, cause);
	if (!cause)
		return;
	if (cause->done_state == ST_DONE_READ || cause->done_state == ST_DONE_RELAYED)
		cause->done_state = ST_DONE_NONE; /* writing a new call: whatever it finished is handed on or lost */
	if (now - cause->set_ns > ttl || (cause->flags & ST_CAUSE_AMBIGUOUS))
		return;
	if (!(cause->flags & ST_CAUSE_DIRECT)) {
		bool stale = overtaken(pid_tgid >> 32, cause->handoff_no) || cause->multiplexer;

		if (!stale) {
			ev->cause_generation = cause->generation;
			ev->cause_seq = cause->seq;
		}
		cause->set_ns = 0; /* a hand-off is good for one call */
		return;
	}
	ev->cause_generation = cause->generation;
	ev->cause_seq = cause->seq;
}

/*
 * Interrupt context. A wakeup made by an interrupt handler (an expiring timer, a packet processed in
 * softirq) runs on whichever thread the interrupt found on the CPU, often a thread serving a request of the
 * same process, which would otherwise pass its cause to, say, a selector thread whose select timed out.
 * The per-CPU preempt count that tells interrupt context apart is not reachable from BPF without
 * CONFIG_KALLSYMS_ALL (and a BPF frame address says nothing: tracing programs may run on a private
 * stack), so the interrupt entry and exit tracepoints keep a per-CPU depth instead. The loader attaches
 * every *_exit program before any other (BpfObject.attachAll), so no entry is ever counted without its
 * exit; that is what lets the depth go without a timestamp, the costly part on a VM's clock, on about two
 * softirqs per request.
 */
struct st_irq_depth {
	__u32 depth;
};

struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, struct st_irq_depth);
} irq_depth SEC(".maps");

static __always_inline int interrupt_entered(void)
{
	__u32 zero = 0;
	struct st_irq_depth *d = bpf_map_lookup_elem(&irq_depth, &zero);

	if (d)
		d->depth++;
	return 0;
}

static __always_inline int interrupt_left(void)
{
	__u32 zero = 0;
	struct st_irq_depth *d = bpf_map_lookup_elem(&irq_depth, &zero);

	if (d && d->depth > 0)
		d->depth--;
	return 0;
}

static __always_inline bool in_interrupt(void)
{
	__u32 zero = 0;
	struct st_irq_depth *d = bpf_map_lookup_elem(&irq_depth, &zero);

	return d && d->depth > 0;
}

SEC("tp_btf/irq_handler_exit")
int handoff_hardirq_exit(void *ctx)
{
	return interrupt_left();
}

SEC("tp_btf/softirq_exit")
int handoff_softirq_exit(void *ctx)
{
	return interrupt_left();
}

SEC("tp_btf/hrtimer_expire_exit")
int handoff_hrtimer_exit(void *ctx)
{
	return interrupt_left();
}

SEC("tp_btf/irq_handler_entry")
int handoff_hardirq_entry(void *ctx)
{
	return interrupt_entered();
}

SEC("tp_btf/softirq_entry")
int handoff_softirq_entry(void *ctx)
{
	return interrupt_entered();
}

SEC("tp_btf/hrtimer_expire_entry")
int handoff_hrtimer_entry(void *ctx)
{
	return interrupt_entered();
}

/* Runs in the waker's context: "current" woke `wakee`. */
static __always_inline int handoff_wakeup(struct task_struct *wakee, bool new_thread)
{
	__u64 pid_tgid = bpf_get_current_pid_tgid();
	__u32 waker = (__u32)pid_tgid, woken = wakee->pid;
	struct st_cause *entry, *from, *to;
	__u64 ttl, now, number;

	/* cheapest test first: only wakeups inside one process carry anything */
	if ((__u32)wakee->tgid != pid_tgid >> 32 || woken == waker)
		return 0;
	ttl = handoff_ttl();
	if (!ttl)
		return 0;
	now = bpf_ktime_get_ns();
	if (in_interrupt()) {
		/* a timer or a packet woke it, not the thread that happens to be running: no waker, but still a
		 * wakeup that may hand work on, so it counts as a hand-off of unknown cause */
		count_add(ST_CTR_INTERRUPT_WAKEUPS, 1);
		pass_completion(pid_tgid >> 32, NULL, 0, woken, new_thread, now, ttl);
		relayed_wakeup(pid_tgid >> 32);
		return 0;
	}
	entry = bpf_map_lookup_elem(&thread_causes, &waker);
	pass_completion(pid_tgid >> 32, entry, waker, woken, new_thread, now, ttl);
	from = entry && now - entry->set_ns <= ttl ? entry : NULL;
	if (!from || (from->flags & (ST_CAUSE_DIRECT | ST_CAUSE_AMBIGUOUS)) != ST_CAUSE_DIRECT) {
		relayed_wakeup(pid_tgid >> 32);
		return 0;
	}
	to = live_cause(woken, now, ttl);
	if (to && (to->flags & ST_CAUSE_DIRECT))
		return 0; /* a thread that read a request itself keeps it (as the linker's same-thread rule does) */
	if (to && same_cause(to, from->generation, from->seq))
		return 0; /* woken again for the same request: nothing new */
	if (to) {
		make_ambiguous(to, now); /* busy with another request's work, or crossed: no telling */
		return 0;
	}
	count_add(ST_CTR_CAUSE_WAKEUPS, 1);
	number = record_handoff(pid_tgid >> 32, woken, from->generation, from->seq, now);
	set_cause(woken, from->generation, from->seq, number >> 63 ? ST_CAUSE_AMBIGUOUS : 0,
		  number & ~(1ull << 63), now);
	return 0;
}

SEC("tp_btf/sched_waking")
int BPF_PROG(handoff_waking, struct task_struct *wakee)
{
	return handoff_wakeup(wakee, false);
}

SEC("tp_btf/sched_wakeup_new")
int BPF_PROG(handoff_wakeup_new, struct task_struct *wakee)
{
	return handoff_wakeup(wakee, true);
}

/* A thread that exits leaves no cause behind (thread ids are reused). */
static __always_inline void handoff_thread_exit(__u32 tid)
{
	bpf_map_delete_elem(&thread_causes, &tid);
}

#endif /* SPANSCOPE_HANDOFF_BPF_H */
