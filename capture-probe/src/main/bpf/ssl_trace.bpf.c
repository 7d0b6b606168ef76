// SPDX-License-Identifier: GPL-2.0
/*
 * spanscope TLS tracer: uprobes on the plaintext side of OpenSSL (SSL_read, SSL_write, SSL_read_ex,
 * SSL_write_ex) in libssl and in binaries that export those symbols, plus the mmap hook that tells
 * user space when a traced process maps a new executable file (so libraries loaded by the dynamic
 * loader after exec, or by dlopen later, are found).
 *
 * Linked with socket_trace.bpf.c into one object (build.sh): both see the same maps
 * (socket_common.bpf.h). Flow per SSL call: entry records (SSL *, buffer, direction) per thread in
 * ssl_calls; socket syscalls nested in the call fill in fd and record sequence number and suppress the
 * ciphertext (socket_trace.bpf.c, tls_ciphertext); the return emits the plaintext as data events with
 * ST_FLAG_TLS, chunked like the socket path, for the connection of the nested syscall or, when the
 * library served the call from its own buffer, the connection last seen for that SSL object.
 *
 * The attach cookie (bpf_get_attach_cookie) is the user-space id of the attached file, so every
 * plaintext event names the library that supplied it.
 *
 * Go crypto/tls has its own programs below (go_tls_*): plain uprobes at the entry and at each RET of
 * Conn.Write, Conn.Read and Conn.handshakeContext, calls keyed by goroutine (go_tls.bpf.h); the
 * delivery itself is shared (tls_deliver.bpf.h).
 */
#include "vmlinux.h"
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_core_read.h>
#include <bpf/bpf_endian.h>
#include <bpf/bpf_tracing.h>
#include "socket_trace.h"
#include "socket_lookup.bpf.h"
#include "socket_common.bpf.h"
#include "tls_deliver.bpf.h"
#include "go_tls.bpf.h"

#define ST_PROT_EXEC 0x4

struct st_exec_mapping {
	__u64 inode;
	__u32 dev;
	__s32 fd;
};

struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, 4096);
	__type(key, __u64); /* pid_tgid */
	__type(value, struct st_exec_mapping);
} exec_mappings SEC(".maps");

static __always_inline int ssl_enter(__u64 ssl, __u64 buf, __u64 num, __u64 out_len, __u8 direction)
{
	__u64 pid_tgid = bpf_get_current_pid_tgid();
	struct st_ssl_call *running = bpf_map_lookup_elem(&ssl_calls, &pid_tgid);
	struct st_ssl_call call = {
		.ssl = ssl,
		.buf = buf,
		.out_len = out_len,
		.fd = -1,
		.requested = num > 0xffffffff ? 0xffffffff : num,
		.direction = direction,
	};

	if (running && running->ssl == ssl) {
		/* an exported SSL function called through another one: the outer call reports. An entry
		 * for another SSL object is stale (its call never returned): it is replaced below. */
		running->depth++;
		return 0;
	}
	if (!process_traced(pid_tgid >> 32))
		return 0;
	if (bpf_map_update_elem(&ssl_calls, &pid_tgid, &call, BPF_ANY))
		count_add(ST_CTR_TLS_NESTING_DROPS, 1);
	return 0;
}

SEC("uprobe")
int BPF_KPROBE(ssl_write_entry, void *ssl, const void *buf, int num)
{
	return ssl_enter((__u64)ssl, (__u64)buf, num < 0 ? 0 : num, 0, ST_DIR_EGRESS);
}

SEC("uprobe")
int BPF_KPROBE(ssl_read_entry, void *ssl, void *buf, int num)
{
	return ssl_enter((__u64)ssl, (__u64)buf, num < 0 ? 0 : num, 0, ST_DIR_INGRESS);
}

SEC("uprobe")
int BPF_KPROBE(ssl_write_ex_entry, void *ssl, const void *buf, __u64 num, __u64 *written)
{
	return ssl_enter((__u64)ssl, (__u64)buf, num, (__u64)written, ST_DIR_EGRESS);
}

SEC("uprobe")
int BPF_KPROBE(ssl_read_ex_entry, void *ssl, void *buf, __u64 num, __u64 *readbytes)
{
	return ssl_enter((__u64)ssl, (__u64)buf, num, (__u64)readbytes, ST_DIR_INGRESS);
}

/* Plaintext bytes the call moved: the return value (an int: the upper half of the register is not
 * part of it), or *out_len when an _ex form returned 1. */
static __always_inline __u32 ssl_bytes(const struct st_ssl_call *call, int ret)
{
	__u64 n = 0;

	if (ret <= 0)
		return 0;
	if (!call->out_len)
		return ret;
	if (ret != 1 || bpf_probe_read_user(&n, sizeof(n), (void *)call->out_len))
		return 0;
	return n > 0x7fffffff ? 0 : n;
}

SEC("uretprobe")
int BPF_KRETPROBE(ssl_return, int ret)
{
	__u64 pid_tgid = bpf_get_current_pid_tgid();
	struct st_ssl_call *found = bpf_map_lookup_elem(&ssl_calls, &pid_tgid);
	struct st_ssl_call call;

	if (!found)
		return 0;
	if (found->depth) {
		found->depth--;
		return 0;
	}
	call = *found;
	bpf_map_delete_elem(&ssl_calls, &pid_tgid);
	tls_deliver(pid_tgid, &call, ssl_bytes(&call, ret), bpf_get_attach_cookie(ctx), ST_CTR_TLS_UNASSOCIATED);
	return 0;
}

/* ---- Go crypto/tls ------------------------------------------------------------------------------ */

/*
 * crypto/tls.(*Conn).Write and Read, amd64, Go's register ABI: at entry the receiver is in RAX and
 * b []byte in RBX (pointer) and RCX (length); at every RET the result n is in RAX and the error
 * interface in RBX/RCX. Never uretprobes: they rewrite the return address on the goroutine's stack,
 * which the runtime moves when it grows the stack, and the process crashes. User space attaches
 * go_tls_return to each RET instruction of the two functions instead.
 *
 * An entry with a call already recorded for the goroutine is the same call starting over: the
 * function's prologue grows a too-small stack and jumps back to the entry (Read and Write never
 * call each other on one goroutine).
 */
/* From the first Go call on, the socket hooks look for the Go call a syscall is nested in. */
static __always_inline void go_tls_mark_seen(void)
{
	__u32 zero = 0, *seen = bpf_map_lookup_elem(&go_tls_seen, &zero);

	if (seen && !*seen)
		*seen = 1;
}

static __always_inline int go_tls_enter(struct pt_regs *ctx, __u8 direction)
{
	__u64 pid_tgid = bpf_get_current_pid_tgid();
	struct st_go_call_key key = { .goroutine = ctx->r14, .tgid = pid_tgid >> 32 };
	__u64 len = ctx->cx;
	struct st_ssl_call call = {
		.ssl = ctx->ax,
		.buf = ctx->bx,
		.fd = -1,
		.requested = len > 0x7fffffff ? 0x7fffffff : len,
		.direction = direction,
		.library = ST_TLS_GO,
		.library_id = bpf_get_attach_cookie(ctx),
	};

	if (!process_traced(key.tgid))
		return 0;
	go_tls_mark_seen();
	if (bpf_map_update_elem(&go_tls_calls, &key, &call, BPF_ANY))
		count_add(ST_CTR_GO_TLS_TABLE_DROPS, 1);
	return 0;
}

SEC("uprobe")
int go_tls_write_entry(struct pt_regs *ctx)
{
	return go_tls_enter(ctx, ST_DIR_EGRESS);
}

SEC("uprobe")
int go_tls_read_entry(struct pt_regs *ctx)
{
	return go_tls_enter(ctx, ST_DIR_INGRESS);
}

/* At a RET of Write or Read: n bytes moved (Read may return n > 0 with io.EOF; Write n < len with an error). */
SEC("uprobe")
int go_tls_return(struct pt_regs *ctx)
{
	__u64 pid_tgid = bpf_get_current_pid_tgid();
	struct st_go_call_key key = { .goroutine = ctx->r14, .tgid = pid_tgid >> 32 };
	struct st_ssl_call *found = bpf_map_lookup_elem(&go_tls_calls, &key);
	struct st_ssl_call call;
	long n = ctx->ax;

	if (!found)
		return 0;
	call = *found;
	bpf_map_delete_elem(&go_tls_calls, &key);
	if (call.delivered || call.go_plain_sent)
		return 0; /* a Write whose plaintext went out with its records (go_tls_write_record) */
	if (n > call.requested)
		n = 0; /* not a byte count of this call: leave it unreported rather than read past the buffer */
	if (call.direction == ST_DIR_INGRESS && n > 0) {
		enum st_go_read_position position = go_tls_read_position(pid_tgid, &call, n);

		if (position == ST_GO_POSITION_NO_LAYOUT)
			go_tls_take_record(pid_tgid, &call, n);
		else if (position == ST_GO_POSITION_UNKNOWN) {
			call.read_seq_source = ST_SSL_SEQ_UNKNOWN;
			count_add(ST_CTR_GO_TLS_UNNUMBERED, 1);
		}
	}
	tls_deliver(pid_tgid, &call, n > 0 ? n : 0, call.library_id, ST_CTR_GO_TLS_UNASSOCIATED);
	return 0;
}

/* Tells the goroutine's Read or Write, if one is in flight, that a handshake runs inside it (or ended). */
static __always_inline void go_tls_mark_handshaking(const struct st_go_call_key *handshake_key, __u8 running)
{
	struct st_go_call_key key = *handshake_key;
	struct st_ssl_call *outer;

	key.kind = ST_GO_CALL_DATA;
	outer = bpf_map_lookup_elem(&go_tls_calls, &key);
	if (outer)
		outer->handshaking = running;
}

/*
 * crypto/tls.(*Conn).handshakeContext, which every handshake runs (Handshake, HandshakeContext, and
 * the one a first Read or Write starts): its nested syscalls name the connection before any Read, and
 * its last read may already hold the first application records (go_tls_handshake_read, kept in
 * go_tls_handshake_records for the Reads). At its RETs the connection becomes what ssl_conns knows of
 * this Conn, so a first Read served from Go's buffer has it. Keyed apart from Read/Write calls: it can run inside one.
 */
SEC("uprobe")
int go_tls_handshake_entry(struct pt_regs *ctx)
{
	__u64 pid_tgid = bpf_get_current_pid_tgid();
	struct st_go_call_key key = { .goroutine = ctx->r14, .tgid = pid_tgid >> 32, .kind = ST_GO_CALL_HANDSHAKE };
	struct st_ssl_call call = {
		.ssl = ctx->ax,
		.fd = -1,
		.direction = ST_GO_DIR_HANDSHAKE,
		.library = ST_TLS_GO,
		.library_id = bpf_get_attach_cookie(ctx),
	};

	if (!process_traced(key.tgid))
		return 0;
	go_tls_mark_seen(); /* a process's first handshake comes before its first Read or Write */
	if (bpf_map_update_elem(&go_tls_calls, &key, &call, BPF_ANY))
		count_add(ST_CTR_GO_TLS_TABLE_DROPS, 1);
	go_tls_mark_handshaking(&key, 1);
	return 0;
}

SEC("uprobe")
int go_tls_handshake_return(struct pt_regs *ctx)
{
	__u64 pid_tgid = bpf_get_current_pid_tgid();
	struct st_go_call_key key = { .goroutine = ctx->r14, .tgid = pid_tgid >> 32, .kind = ST_GO_CALL_HANDSHAKE };
	struct st_ssl_call *found = bpf_map_lookup_elem(&go_tls_calls, &key);
	struct st_ssl_key conn_key = { .tgid = pid_tgid >> 32 };
	struct st_ssl_conn known = { .fd = -1 };

	if (!found)
		return 0;
	conn_key.ssl = found->ssl;
	known.fd = found->fd;
	bpf_map_delete_elem(&go_tls_calls, &key);
	go_tls_mark_handshaking(&key, 0);
	/* a Conn at this address before was another connection: what was known of it goes */
	if (known.fd >= 0)
		bpf_map_update_elem(&ssl_conns, &conn_key, &known, BPF_ANY);
	return 0;
}

/* ---- discovery of libraries mapped after start ------------------------------------------------- */

/* The inode and device of an fd, when it is a regular file. */
static __always_inline bool file_identity(__s32 fd, struct st_exec_mapping *out)
{
	struct task_struct *task = (struct task_struct *)bpf_get_current_task();
	struct fdtable *fdt = BPF_CORE_READ(task, files, fdt);
	struct file **fds;
	struct file *file = NULL;

	if (fd < 0 || !fdt || (unsigned int)fd >= BPF_CORE_READ(fdt, max_fds))
		return false;
	fds = BPF_CORE_READ(fdt, fd);
	if (bpf_probe_read_kernel(&file, sizeof(file), &fds[fd]) || !file)
		return false;
	out->inode = BPF_CORE_READ(file, f_inode, i_ino);
	out->dev = BPF_CORE_READ(file, f_inode, i_sb, s_dev);
	out->fd = fd;
	return true;
}

/*
 * Executable file mappings are how both the dynamic loader (after exec) and dlopen bring libssl into
 * a process; they are rare (a handful per process start), so reporting each is cheap. The event goes
 * out at exit, once the mapping exists in /proc/PID/maps for user space to read.
 */
SEC("tracepoint/syscalls/sys_enter_mmap")
int enter_mmap(struct trace_event_raw_sys_enter *ctx)
{
	__u64 pid_tgid = bpf_get_current_pid_tgid();
	struct st_exec_mapping mapping = {};

	if (!(ctx->args[2] & ST_PROT_EXEC) || (__s32)ctx->args[4] < 0)
		return 0;
	if (!process_traced(pid_tgid >> 32) || !file_identity(ctx->args[4], &mapping))
		return 0;
	bpf_map_update_elem(&exec_mappings, &pid_tgid, &mapping, BPF_ANY);
	return 0;
}

SEC("tracepoint/syscalls/sys_exit_mmap")
int exit_mmap(struct trace_event_raw_sys_exit *ctx)
{
	__u64 pid_tgid = bpf_get_current_pid_tgid();
	struct st_exec_mapping *mapping = bpf_map_lookup_elem(&exec_mappings, &pid_tgid);
	struct st_library_mapped_event *ev;

	if (!mapping)
		return 0;
	if (ctx->ret < 0 && ctx->ret > -4096) {
		bpf_map_delete_elem(&exec_mappings, &pid_tgid);
		return 0;
	}
	ev = bpf_ringbuf_reserve(&events, sizeof(*ev), 0);
	if (ev) {
		fill_header(&ev->hdr, ST_EVENT_LIBRARY_MAPPED, pid_tgid, mapping->fd, 0);
		ev->inode = mapping->inode;
		ev->dev = mapping->dev;
		ev->reserved = 0;
		bpf_ringbuf_submit(ev, BPF_RB_FORCE_WAKEUP);
	} else {
		count_add(ST_CTR_RINGBUF_DROPS, 1);
	}
	bpf_map_delete_elem(&exec_mappings, &pid_tgid);
	return 0;
}
