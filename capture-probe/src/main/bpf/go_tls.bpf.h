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

#endif /* SPANSCOPE_GO_TLS_BPF_H */
