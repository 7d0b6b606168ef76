package io.spanscope.parsers.record;

import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;

import static org.assertj.core.api.Assertions.assertThat;

/** The builder parsers reuse per connection: replacement in place, and built sets that never change after. */
class AttributesTest {

    @Test
    void aRepeatedKeyReplacesTheValueInItsFirstPosition() {
        Attributes a = Attributes.builder().put("a", "1").put("b", 2L).put("a", "3").put("c", null).build();
        assertThat(a.asMap()).containsExactly(Map.entry("a", "3"), Map.entry("b", 2L));
        assertThat(a.size()).isEqualTo(2);
        assertThat(a.get("c")).isNull();
    }

    @Test
    void withReplacesAValueInPlaceOrAddsItLastAndLeavesTheOriginalAlone() {
        Attributes original = Attributes.builder().put("a", "1").put("id", 1L).put("b", "2").build();
        Attributes replaced = original.with("id", 3L);
        assertThat(replaced.asMap()).containsExactly(Map.entry("a", "1"), Map.entry("id", 3L), Map.entry("b", "2"));
        assertThat(original.with("c", true).asMap())
                .containsExactly(Map.entry("a", "1"), Map.entry("id", 1L), Map.entry("b", "2"), Map.entry("c", true));
        assertThat(original.asMap()).containsExactly(Map.entry("a", "1"), Map.entry("id", 1L), Map.entry("b", "2"));
        assertThat(Attributes.empty().with("x", "y").asMap()).containsExactly(Map.entry("x", "y"));
    }

    @Test
    void repeatedWithKeepsEveryDerivedSetIntact() {
        Attributes base = Attributes.builder().put("a", "1").put("id", 1L).put("b", "2").build();
        Attributes id3 = base.with("id", 3L);
        Attributes id5 = id3.with("id", 5L);
        Attributes id5b = id5.with("b", "x");          // another key than the one replaced before
        Attributes id5c = id5.with("c", "new");
        assertThat(base.asMap()).containsExactly(Map.entry("a", "1"), Map.entry("id", 1L), Map.entry("b", "2"));
        assertThat(id3.asMap()).containsExactly(Map.entry("a", "1"), Map.entry("id", 3L), Map.entry("b", "2"));
        assertThat(id5.getLong("id")).isEqualTo(5L);
        assertThat(id5b.asMap()).containsExactly(Map.entry("a", "1"), Map.entry("id", 5L), Map.entry("b", "x"));
        assertThat(id5c.asMap())
                .containsExactly(Map.entry("a", "1"), Map.entry("id", 5L), Map.entry("b", "2"), Map.entry("c", "new"));
        assertThat(id5b.with("id", 7L).asMap())
                .containsExactly(Map.entry("a", "1"), Map.entry("id", 7L), Map.entry("b", "x"));
        assertThat(id3).isEqualTo(base.with("id", 3L)).isNotEqualTo(base);
    }

    @Test
    void builtAttributesDoNotChangeWhenTheBuilderGoesOn() {
        Attributes.Builder builder = Attributes.builder().put("db.system.name", "postgresql").put("rows", 1L);
        Attributes first = builder.build();
        builder.put("rows", 2L).put("error.type", "23505");
        Attributes second = builder.build();
        builder.clear().put("other", "x");
        Attributes third = builder.build();

        assertThat(first.asMap()).containsExactly(Map.entry("db.system.name", "postgresql"), Map.entry("rows", 1L));
        assertThat(second.asMap()).containsExactly(Map.entry("db.system.name", "postgresql"), Map.entry("rows", 2L),
                Map.entry("error.type", "23505"));
        assertThat(third.asMap()).containsExactly(Map.entry("other", "x"));
        assertThat(builder.clear().build()).isSameAs(Attributes.empty());
    }

    /** Keys whose hash codes share the summary bit, many keys (growth), reuse: always what a map says. */
    @Test
    void agreesWithAnOrderedMapOnRandomSequences() {
        Random random = new Random(7);
        List<String> keys = new ArrayList<>();
        for (int i = 0; i < 200; i++) {
            keys.add("k" + i);
        }
        keys.add("Aa");
        keys.add("BB"); // same String hash code as "Aa"
        Attributes.Builder builder = Attributes.builder();
        List<Attributes> built = new ArrayList<>();
        List<Map<String, Object>> expected = new ArrayList<>();
        for (int round = 0; round < 300; round++) {
            builder.clear();
            Map<String, Object> map = new LinkedHashMap<>();
            int puts = random.nextInt(round % 10 == 0 ? 150 : 20);
            for (int p = 0; p < puts; p++) {
                String key = keys.get(random.nextInt(random.nextBoolean() ? 8 : keys.size()));
                Long value = (long) random.nextInt(1000);
                builder.put(key, value);
                map.put(key, value);
            }
            built.add(builder.build());
            expected.add(map);
        }
        for (int i = 0; i < built.size(); i++) {
            assertThat(built.get(i).asMap()).containsExactlyEntriesOf(expected.get(i));
            for (Map.Entry<String, Object> e : expected.get(i).entrySet()) {
                assertThat(built.get(i).get(e.getKey())).isEqualTo(e.getValue());
            }
        }
    }
}
