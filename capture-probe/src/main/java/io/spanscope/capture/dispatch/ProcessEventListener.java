package io.spanscope.capture.dispatch;

/** Told about process exec and exit (from the sched tracepoints); called on the reader thread, keep it cheap. */
public interface ProcessEventListener {

    void onExec(int tgid);

    void onExit(int tgid);

    ProcessEventListener NONE = new ProcessEventListener() {
        @Override
        public void onExec(int tgid) {
        }

        @Override
        public void onExit(int tgid) {
        }
    };
}
