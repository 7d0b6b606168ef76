// SPDX-License-Identifier: GPL-2.0
/*
 * The cheapest possible capture, to measure what the kernel's hook dispatch alone costs:
 * "tracepoint" programs sit on the same syscall tracepoints as socket_trace.bpf.c and return at once;
 * "raw" programs sit on the raw syscall tracepoints (tp_btf/sys_enter, tp_btf/sys_exit), run for every
 * syscall and only decide by the syscall id whether it is one of the data syscalls. The loader
 * (floor.c) loads one of the two sets. (fentry/fexit on tcp_sendmsg/tcp_recvmsg would avoid the syscall
 * slow path altogether, but the kernel refuses to load them on the project's VM: EPERM as root.)
 */
#include "vmlinux.h"
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_tracing.h>

char LICENSE[] SEC("license") = "GPL";

/* x86_64 syscall numbers of the data syscalls (the object is built for x86 only) */
#define NR_READ 0
#define NR_WRITE 1
#define NR_READV 19
#define NR_WRITEV 20
#define NR_SENDTO 44
#define NR_RECVFROM 45
#define NR_SENDMSG 46
#define NR_RECVMSG 47

/* kept apart so the compiler cannot fold the switch away */
__u64 data_syscalls_seen SEC(".bss");

static __always_inline int on_syscall(long id)
{
	switch (id) {
	case NR_READ:
	case NR_WRITE:
	case NR_READV:
	case NR_WRITEV:
	case NR_SENDTO:
	case NR_RECVFROM:
	case NR_SENDMSG:
	case NR_RECVMSG:
		data_syscalls_seen = id;
		return 0;
	default:
		return 0;
	}
}

SEC("tp_btf/sys_enter")
int BPF_PROG(raw_enter, struct pt_regs *regs, long id)
{
	return on_syscall(id);
}

SEC("tp_btf/sys_exit")
int BPF_PROG(raw_exit, struct pt_regs *regs, long ret)
{
	return on_syscall(regs->orig_ax);
}

#define EMPTY_TRACEPOINT(name)                                  \
	SEC("tracepoint/syscalls/" #name)                       \
	int tp_##name(void *ctx)                                \
	{                                                       \
		return 0;                                       \
	}

/* every syscall tracepoint spanscope attaches (socket_trace.bpf.c and ssl_trace.bpf.c) */
EMPTY_TRACEPOINT(sys_enter_read)
EMPTY_TRACEPOINT(sys_exit_read)
EMPTY_TRACEPOINT(sys_enter_write)
EMPTY_TRACEPOINT(sys_exit_write)
EMPTY_TRACEPOINT(sys_enter_readv)
EMPTY_TRACEPOINT(sys_exit_readv)
EMPTY_TRACEPOINT(sys_enter_writev)
EMPTY_TRACEPOINT(sys_exit_writev)
EMPTY_TRACEPOINT(sys_enter_sendto)
EMPTY_TRACEPOINT(sys_exit_sendto)
EMPTY_TRACEPOINT(sys_enter_recvfrom)
EMPTY_TRACEPOINT(sys_exit_recvfrom)
EMPTY_TRACEPOINT(sys_enter_sendmsg)
EMPTY_TRACEPOINT(sys_exit_sendmsg)
EMPTY_TRACEPOINT(sys_enter_recvmsg)
EMPTY_TRACEPOINT(sys_exit_recvmsg)
EMPTY_TRACEPOINT(sys_enter_sendmmsg)
EMPTY_TRACEPOINT(sys_exit_sendmmsg)
EMPTY_TRACEPOINT(sys_enter_recvmmsg)
EMPTY_TRACEPOINT(sys_exit_recvmmsg)
EMPTY_TRACEPOINT(sys_enter_sendfile64)
EMPTY_TRACEPOINT(sys_exit_sendfile64)
EMPTY_TRACEPOINT(sys_enter_connect)
EMPTY_TRACEPOINT(sys_exit_connect)
EMPTY_TRACEPOINT(sys_enter_accept)
EMPTY_TRACEPOINT(sys_exit_accept)
EMPTY_TRACEPOINT(sys_enter_accept4)
EMPTY_TRACEPOINT(sys_exit_accept4)
EMPTY_TRACEPOINT(sys_enter_close)
EMPTY_TRACEPOINT(sys_enter_mmap)
EMPTY_TRACEPOINT(sys_exit_mmap)
