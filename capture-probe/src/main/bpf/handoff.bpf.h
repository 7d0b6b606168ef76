/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Thread hand-offs: which server request a thread works on behalf of, carried from the thread that
 * read the request to the threads it wakes, and stamped on the client requests they write.
 *
 * A thread's "cause" is (generation of a server connection, TCP sequence of the first byte of the
 * request being read on it). It is set DIRECT when the thread reads that request, inherited by a
 * thread of the same process that it wakes (sched_waking / sched_wakeup_new, in the waker's
 * context), stamped on the client-role egress data events of the thread, and ends when the thread
 * writes the response (direct), when it writes its first client request (inherited: consumed), or
 * after cause_ttl_ns. Precision first: a second, different cause reaching a thread whose cause is
 * still live makes it AMBIGUOUS (no stamps) until the ambiguity itself expires. Everything stays
 * in maps: no ring-buffer event per wakeup.
 *
 * Known limit: a wakeup from an interrupt (a timer expiring) is attributed to whichever thread it
 * interrupted. Telling interrupt from task context needs the per-CPU preempt count, whose address
 * a kernel without CONFIG_KALLSYMS_ALL does not give to BPF. Such a false edge only matters when the
 * interrupted thread belongs to the same process; it then usually makes the woken thread ambiguous.
 *
 * Included by socket_trace.bpf.c after its maps and helpers (get_config, count_add, st_conn).
 */
#ifndef SPANSCOPE_HANDOFF_BPF_H
#define SPANSCOPE_HANDOFF_BPF_H

#define ST_CAUSE_DIRECT 0x1    /* the thread read the request itself */
#define ST_CAUSE_AMBIGUOUS 0x2 /* different causes reached the thread: it stamps nothing */

struct st_cause {
	__u64 generation;
	__u64 set_ns;
	__u32 seq;
	__u32 flags;
};

struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, 65536);
	__type(key, __u32); /* thread id */
	__type(value, struct st_cause);
} thread_causes SEC(".maps");

static __always_inline __u64 handoff_ttl(void)
{
	struct st_config *cfg = get_config();

	return cfg && (cfg->handoff_flags & ST_HANDOFF_ENABLED) ? cfg->cause_ttl_ns : 0;
}

/* The thread's cause, or NULL; an expired one is deleted on the way. */
static __always_inline struct st_cause *live_cause(__u32 tid, __u64 now, __u64 ttl)
{
	struct st_cause *cause = bpf_map_lookup_elem(&thread_causes, &tid);

	if (cause && now - cause->set_ns > ttl) {
		bpf_map_delete_elem(&thread_causes, &tid);
		return NULL;
	}
	return cause;
}

/* A thread without a live cause takes the offered one; the same one refreshes it; another makes it ambiguous. */
static __always_inline void offer_cause(__u32 tid, __u64 generation, __u32 seq, __u32 flags, __u64 now,
					__u64 ttl)
{
	struct st_cause *held = live_cause(tid, now, ttl);

	if (!held) {
		struct st_cause fresh = { .generation = generation, .set_ns = now, .seq = seq, .flags = flags };

		if (bpf_map_update_elem(&thread_causes, &tid, &fresh, BPF_ANY))
			count_add(ST_CTR_CAUSE_TABLE_FULL, 1);
		return;
	}
	if (held->generation == generation && held->seq == seq) {
		if (!(held->flags & ST_CAUSE_AMBIGUOUS)) {
			held->set_ns = now;
			held->flags |= flags;
		}
		return;
	}
	if (!(held->flags & ST_CAUSE_AMBIGUOUS))
		count_add(ST_CTR_CAUSE_CONFLICTS, 1);
	/* the ambiguity lasts a ttl from the latest conflict */
	held->flags |= ST_CAUSE_AMBIGUOUS;
	held->set_ns = now;
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
	__u64 now;

	if (!ttl)
		return;
	if (conn->run_dir != dir) {
		conn->run_dir = dir;
		conn->run_seq = seq;
	}
	now = bpf_ktime_get_ns();
	if (conn->role == ST_ROLE_SERVER) {
		if (!egress) {
			offer_cause(tid, conn->generation, conn->run_seq, ST_CAUSE_DIRECT, now, ttl);
			return;
		}
		/* the response: this thread's work for the request ends */
		cause = bpf_map_lookup_elem(&thread_causes, &tid);
		if (cause && cause->generation == conn->generation && !(cause->flags & ST_CAUSE_AMBIGUOUS))
			bpf_map_delete_elem(&thread_causes, &tid);
		return;
	}
	if (conn->role != ST_ROLE_CLIENT || !egress)
		return;
	cause = live_cause(tid, now, ttl);
	if (!cause || (cause->flags & ST_CAUSE_AMBIGUOUS))
		return;
	ev->cause_generation = cause->generation;
	ev->cause_seq = cause->seq;
	if (!(cause->flags & ST_CAUSE_DIRECT))
		bpf_map_delete_elem(&thread_causes, &tid); /* a hand-off is good for one call */
}

/* Runs in the waker's context: "current" woke `wakee`. */
static __always_inline int handoff_wakeup(struct task_struct *wakee)
{
	__u64 pid_tgid = bpf_get_current_pid_tgid();
	__u32 waker = (__u32)pid_tgid, woken = wakee->pid;
	struct st_cause *from, *to;
	__u64 ttl, now;

	/* cheapest test first: only wakeups inside one process carry anything */
	if ((__u32)wakee->tgid != pid_tgid >> 32 || woken == waker)
		return 0;
	ttl = handoff_ttl();
	if (!ttl)
		return 0;
	now = bpf_ktime_get_ns();
	from = live_cause(waker, now, ttl);
	if (from && !(from->flags & ST_CAUSE_AMBIGUOUS)) {
		to = live_cause(woken, now, ttl);
		if (to && !(from->flags & ST_CAUSE_DIRECT) && (to->flags & ST_CAUSE_DIRECT) &&
		    to->generation == from->generation && to->seq == from->seq) {
			/* handing back to the thread that read the request: the hand-off is done */
			bpf_map_delete_elem(&thread_causes, &waker);
			return 0;
		}
		count_add(ST_CTR_CAUSE_WAKEUPS, 1);
		offer_cause(woken, from->generation, from->seq, 0, now, ttl);
		return 0;
	}
	/* woken on behalf of no one known: what an inherited cause said no longer holds */
	to = bpf_map_lookup_elem(&thread_causes, &woken);
	if (to && !(to->flags & ST_CAUSE_DIRECT))
		bpf_map_delete_elem(&thread_causes, &woken);
	return 0;
}

SEC("tp_btf/sched_waking")
int BPF_PROG(handoff_waking, struct task_struct *wakee)
{
	return handoff_wakeup(wakee);
}

SEC("tp_btf/sched_wakeup_new")
int BPF_PROG(handoff_wakeup_new, struct task_struct *wakee)
{
	return handoff_wakeup(wakee);
}

/* A thread that exits leaves no cause behind (thread ids are reused). */
static __always_inline void handoff_thread_exit(__u32 tid)
{
	bpf_map_delete_elem(&thread_causes, &tid);
}

#endif /* SPANSCOPE_HANDOFF_BPF_H */
