package io.spanscope.pipeline.live;

import java.util.ArrayList;
import java.util.List;

/**
 * What a live test started (servers, peers, brokers, runs), closed in reverse order of starting when the
 * test ends, every one of them even when some fail; the first failure is rethrown.
 */
final class TestResources implements AutoCloseable {

    private final List<AutoCloseable> started = new ArrayList<>();

    <T extends AutoCloseable> T add(T resource) {
        started.add(resource);
        return resource;
    }

    @Override
    public void close() throws Exception {
        Exception first = null;
        for (int i = started.size() - 1; i >= 0; i--) {
            try {
                started.get(i).close();
            } catch (Exception e) {
                first = first == null ? e : first;
            }
        }
        started.clear();
        if (first != null) {
            throw first;
        }
    }
}
