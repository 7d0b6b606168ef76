/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Go crypto/tls calls in flight, shared by the Go uprobes (ssl_trace.bpf.c) and the socket syscall
 * hooks (socket_trace.bpf.c), which both include this file; the maps are __weak like those of
 * socket_common.bpf.h, so the static linker keeps one of each.
 *
 * A Go call is keyed by (tgid, goroutine), not by thread: a Read that blocks parks its goroutine and
 * resumes it on whichever thread the scheduler picks, and the thread runs other goroutines meanwhile.
 * Go's register ABI (amd64, Go >= 1.17) keeps the current goroutine (g) in R14 in all Go code,
 * including the raw SYSCALL of internal/runtime/syscall.Syscall6, so the uprobes and the syscall
 * hooks read the same key from the user registers.
 *
 * Included after tls_deliver.bpf.h.
 */
#ifndef SPANSCOPE_GO_TLS_BPF_H
#define SPANSCOPE_GO_TLS_BPF_H

struct st_go_call_key {
	__u64 goroutine;   /* the runtime's g pointer, from R14 */
	__u32 tgid;
	__u32 reserved;
};

/*
 * LRU: a goroutine killed inside a call (its process exiting, a panic unwinding past the RET probes)
 * leaves an entry no RET removes; a g is reused by the runtime for later goroutines, and its next
 * call overwrites the entry, but one that is never reused must not fill the table.
 */
struct {
	__uint(type, BPF_MAP_TYPE_LRU_HASH);
	__uint(max_entries, 16384);
	__type(key, struct st_go_call_key);
	__type(value, struct st_ssl_call);
} go_tls_calls SEC(".maps") __weak;

/* One entry, 0 until a Go TLS call was first seen: hosts with none skip the lookup per syscall. */
struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, __u32);
} go_tls_seen SEC(".maps") __weak;

/*
 * The Go crypto/tls call that the current socket syscall runs nested in, if any: the goroutine in the
 * user registers saved at syscall entry, looked up for this process.
 */
static __always_inline struct st_ssl_call *go_tls_call_of_syscall(__u64 pid_tgid)
{
	struct st_go_call_key key = { .tgid = pid_tgid >> 32 };
	__u32 zero = 0, *seen = bpf_map_lookup_elem(&go_tls_seen, &zero);
	struct pt_regs *regs;

	if (!seen || !*seen)
		return NULL;
	regs = (struct pt_regs *)bpf_task_pt_regs(bpf_get_current_task_btf());
	key.goroutine = regs->r14;
	return bpf_map_lookup_elem(&go_tls_calls, &key);
}

/*
 * A nested write of a Go Write has just sent its first record: the Write's plaintext goes out now,
 * not at its RET. The peer may answer as soon as the record arrives, and the goroutine can be
 * descheduled before it reaches its RET (it leaves the syscall through the scheduler); the reply's
 * plaintext, read by another goroutine, would then reach user space before the request it answers.
 * Go's Write sends all of b unless the connection fails, so all of b is reported.
 */
static __always_inline void go_tls_write_sent(__u64 pid_tgid, struct st_ssl_call *call)
{
	if (call->library != ST_TLS_GO || call->delivered)
		return;
	call->delivered = 1;
	tls_deliver(pid_tgid, call, call->requested, call->library_id, ST_CTR_GO_TLS_UNASSOCIATED);
}

#endif /* SPANSCOPE_GO_TLS_BPF_H */
