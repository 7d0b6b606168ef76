package io.spanscope.pipeline.builder;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.HashMap;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.Test;

class LongKeyMapTest {

    @Test
    void behavesAsAHashMapUnderRandomPutsAndRemovesOfCollidingKeys() {
        LongKeyMap<Long> map = new LongKeyMap<>();
        Map<Long, Long> reference = new HashMap<>();
        Random random = new Random(3);
        for (int step = 0; step < 400_000; step++) {
            // span-id-like keys from a small range (many share low bits), 0 and negatives included
            long key = random.nextInt(20_000) - 100L << 8 | random.nextInt(6);
            if (random.nextInt(3) == 0) {
                assertThat(map.remove(key)).isEqualTo(reference.remove(key));
            } else {
                assertThat(map.put(key, (long) step)).isEqualTo(reference.put(key, (long) step));
            }
            if (step % 10_000 == 0) {
                assertThat(map.size()).isEqualTo(reference.size());
            }
        }
        assertThat(map.size()).isEqualTo(reference.size());
        reference.forEach((k, v) -> assertThat(map.get(k)).as("key %d", k).isEqualTo(v));
        Map<Long, Long> listed = new HashMap<>();
        map.forEach(listed::put);
        assertThat(listed).isEqualTo(reference);
        long[] keys = {0};
        map.forEachKey(k -> keys[0]++);
        assertThat(keys[0]).isEqualTo(reference.size());
        map.clear();
        assertThat(map.isEmpty()).isTrue();
        assertThat(map.get(reference.keySet().iterator().next())).isNull();
    }
}
