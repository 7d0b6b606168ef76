package io.spanscope.capture.dispatch;

/** Told about process exec and exit (from the sched tracepoints); called on the reader thread, keep it cheap. */
public interface ProcessEventListener {

    void onExec(int tgid);

    void onExit(int tgid);

    /**
     * A traced process mapped a file executable (the dynamic loader after exec, or dlopen).
     *
     * @param device the kernel's dev_t of the file's filesystem ({@code major << 20 | minor})
     */
    default void onExecutableMapped(int tgid, long device, long inode) {
    }

    ProcessEventListener NONE = new ProcessEventListener() {
        @Override
        public void onExec(int tgid) {
        }

        @Override
        public void onExit(int tgid) {
        }
    };
}
