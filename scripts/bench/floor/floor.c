// SPDX-License-Identifier: GPL-2.0
/*
 * Loads one set of the empty programs of floor.bpf.c, attaches them, prints "attached N" and waits
 * for SIGTERM/SIGINT. Usage: floor OBJECT tracepoint|raw
 */
#include <bpf/libbpf.h>
#include <signal.h>
#include <stdbool.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

static volatile sig_atomic_t stop;

/* whether a program of this section belongs to the set the mode names */
static bool in_set(const char *mode, const char *section)
{
	if (strcmp(mode, "tracepoint") == 0)
		return strncmp(section, "tracepoint/", 11) == 0;
	return strncmp(section, "tp_btf/", 7) == 0;
}

static void on_signal(int sig)
{
	stop = 1;
}

int main(int argc, char **argv)
{
	struct bpf_object *obj;
	struct bpf_program *prog;
	int attached = 0;

	if (argc != 3 || (strcmp(argv[2], "tracepoint") && strcmp(argv[2], "raw"))) {
		fprintf(stderr, "usage: %s OBJECT tracepoint|raw\n", argv[0]);
		return 2;
	}
	obj = bpf_object__open_file(argv[1], NULL);
	if (!obj) {
		perror("open");
		return 1;
	}
	bpf_object__for_each_program(prog, obj)
		bpf_program__set_autoload(prog, in_set(argv[2], bpf_program__section_name(prog)));
	if (bpf_object__load(obj)) {
		fprintf(stderr, "load failed\n");
		return 1;
	}
	bpf_object__for_each_program(prog, obj) {
		if (!bpf_program__autoload(prog))
			continue;
		if (!bpf_program__attach(prog)) {
			fprintf(stderr, "attach %s failed\n", bpf_program__name(prog));
			return 1;
		}
		attached++;
	}
	signal(SIGTERM, on_signal);
	signal(SIGINT, on_signal);
	printf("attached %d\n", attached);
	fflush(stdout);
	while (!stop)
		pause();
	bpf_object__close(obj);
	return 0;
}
