package io.spanscope.pipeline.builder;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.HashMap;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.Test;

class LongLongMapTest {

    @Test
    void behavesAsAHashMapUnderRandomPutsAndRemovesOfCollidingKeys() {
        LongLongMap map = new LongLongMap();
        Map<Long, Long> reference = new HashMap<>();
        Random random = new Random(5);
        for (int step = 0; step < 400_000; step++) {
            // span-id-like keys from a small range (many share low bits), 0 and negatives included
            long key = random.nextInt(20_000) - 100L << 8 | random.nextInt(6);
            int op = random.nextInt(6);
            if (op < 2) {
                Long removed = reference.remove(key);
                assertThat(map.remove(key)).isEqualTo(removed == null ? LongLongMap.ABSENT : removed);
            } else if (op == 2) {
                // removes only when the value is the one expected
                long expected = random.nextBoolean() && reference.containsKey(key) ? reference.get(key) : step;
                boolean matches = reference.containsKey(key) && reference.get(key) == expected;
                assertThat(map.remove(key, expected)).isEqualTo(matches);
                if (matches) {
                    reference.remove(key);
                }
            } else {
                Long replaced = reference.put(key, (long) step);
                assertThat(map.put(key, step)).isEqualTo(replaced == null ? LongLongMap.ABSENT : replaced);
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
        map.clear();
        assertThat(map.isEmpty()).isTrue();
        assertThat(map.get(reference.keySet().iterator().next())).isEqualTo(LongLongMap.ABSENT);
    }

    @Test
    void refusesNegativeValues() {
        assertThatThrownBy(() -> new LongLongMap().put(7, -1)).isInstanceOf(IllegalArgumentException.class);
    }
}
