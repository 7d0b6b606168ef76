package io.spanscope.capture.bpf;

import com.sun.jna.Callback;
import com.sun.jna.Native;
import com.sun.jna.Pointer;

/** JNA direct mapping of the libbpf 1.x calls used to open, load and attach the socket tracer. */
final class LibBpf {

    static final String LIBRARY = "bpf";

    /** {@code libbpf_print_fn_t}: the {@code va_list} arrives as a pointer (x86-64 and arm64 ABIs). */
    interface PrintFunction extends Callback {
        int invoke(int level, String format, Pointer vaList);
    }

    static {
        Native.register(LIBRARY);
    }

    private LibBpf() {
    }

    static native Pointer bpf_object__open_mem(Pointer objectBytes, long size, Pointer options);

    static native int bpf_object__load(Pointer object);

    static native void bpf_object__close(Pointer object);

    static native Pointer bpf_object__find_map_by_name(Pointer object, String name);

    static native Pointer bpf_object__next_program(Pointer object, Pointer previous);

    static native String bpf_program__name(Pointer program);

    static native Pointer bpf_program__attach(Pointer program);

    static native Pointer bpf_object__find_program_by_name(Pointer object, String name);

    static native int bpf_program__set_autoload(Pointer program, boolean autoload);

    static native boolean bpf_program__autoload(Pointer program);

    static native String bpf_program__section_name(Pointer program);

    /** {@code opts} is a {@code struct bpf_uprobe_opts} (see {@link UprobeOptions}). */
    static native Pointer bpf_program__attach_uprobe_opts(Pointer program, int pid, String binaryPath,
                                                          long functionOffset, Pointer opts);

    static native int bpf_link__destroy(Pointer link);

    static native int bpf_map__set_max_entries(Pointer map, int maxEntries);

    static native int bpf_map__fd(Pointer map);

    static native int bpf_map_update_elem(int fd, Pointer key, Pointer value, long flags);

    static native int bpf_map_lookup_elem(int fd, Pointer key, Pointer value);

    static native int bpf_map_delete_elem(int fd, Pointer key);

    static native int libbpf_num_possible_cpus();

    static native Pointer libbpf_set_print(PrintFunction function);
}
