package io.spanscope.pipeline.config;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import java.io.IOException;
import java.io.Reader;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.EnumMap;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Properties;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The settings of one process, each from the strongest source that gives it: command-line flag, then
 * environment variable, then config file, then the default. Typed getters validate and name the
 * setting and its source in a {@link ConfigException}. Immutable.
 */
public final class Settings {

    private static final Pattern DURATION = Pattern.compile("(\\d{1,9})\\s*(ms|s|m|h)", Pattern.CASE_INSENSITIVE);
    private static final Pattern SIZE = Pattern.compile("(\\d{1,15})\\s*([kmg]?)(i?b?)", Pattern.CASE_INSENSITIVE);

    /** A value and where it came from ("flag --x", "environment SPANSCOPE_X", "file f.yaml", "default"). */
    public record Value(String text, String origin) {
    }

    private final Map<Setting, Value> values;

    private Settings(Map<Setting, Value> values) {
        this.values = values;
    }

    /**
     * @param file     YAML ({@code .yaml}/{@code .yml}) or Java properties file, or null
     * @param env      the environment ({@code System.getenv()})
     * @param flags    settings given on the command line, by key, with the flag's name as origin
     */
    public static Settings resolve(Path file, Map<String, String> env, Map<Setting, Value> flags) {
        Map<Setting, Value> values = new EnumMap<>(Setting.class);
        for (Setting s : Setting.values()) {
            s.defaultValue().ifPresent(d -> values.put(s, new Value(d, "default")));
        }
        if (file != null) {
            values.putAll(readFile(file));
        }
        for (Setting s : Setting.values()) {
            String v = env.get(s.environmentVariable());
            if (v != null && !v.isBlank()) {
                values.put(s, new Value(v.trim(), "environment " + s.environmentVariable()));
            }
        }
        values.putAll(flags);
        return new Settings(values);
    }

    /** Defaults and the given settings only (tests, embedding). */
    public static Settings of(Map<Setting, String> given) {
        Map<Setting, Value> flags = new EnumMap<>(Setting.class);
        given.forEach((s, v) -> flags.put(s, new Value(v, "given")));
        return resolve(null, Map.of(), flags);
    }

    public Optional<String> string(Setting s) {
        Value v = values.get(s);
        return v == null || v.text().isBlank() ? Optional.empty() : Optional.of(v.text().trim());
    }

    public String required(Setting s) {
        return string(s).orElseThrow(() -> new ConfigException(s.key() + ": required (set it in the config file, "
                + s.environmentVariable() + " or the flag)"));
    }

    public String origin(Setting s) {
        Value v = values.get(s);
        return v == null ? "unset" : v.origin();
    }

    public boolean flag(Setting s) {
        String v = string(s).orElse("false").toLowerCase(Locale.ROOT);
        return switch (v) {
            case "true", "yes", "on", "1" -> true;
            case "false", "no", "off", "0" -> false;
            default -> throw invalid(s, "is not true or false");
        };
    }

    public int integer(Setting s, int min, int max) {
        String v = required(s);
        try {
            int n = Integer.parseInt(v);
            if (n < min || n > max) {
                throw invalid(s, "must be between " + min + " and " + max);
            }
            return n;
        } catch (NumberFormatException e) {
            throw invalid(s, "is not a number");
        }
    }

    public Duration duration(Setting s, Duration min) {
        Matcher m = DURATION.matcher(required(s));
        if (!m.matches()) {
            throw invalid(s, "is not a duration (examples: 500ms, 30s, 2m, 1h)");
        }
        long n = Long.parseLong(m.group(1));
        Duration d = switch (m.group(2).toLowerCase(Locale.ROOT)) {
            case "ms" -> Duration.ofMillis(n);
            case "s" -> Duration.ofSeconds(n);
            case "m" -> Duration.ofMinutes(n);
            default -> Duration.ofHours(n);
        };
        if (d.compareTo(min) < 0) {
            throw invalid(s, "must be at least " + min.toMillis() + "ms");
        }
        return d;
    }

    public long bytes(Setting s, long min, long max) {
        Matcher m = SIZE.matcher(required(s));
        if (!m.matches()) {
            throw invalid(s, "is not a size (examples: 4096, 64KiB, 16MiB, 1GiB)");
        }
        int shift = switch (m.group(2).toLowerCase(Locale.ROOT)) {
            case "k" -> 10;
            case "m" -> 20;
            case "g" -> 30;
            default -> 0;
        };
        long n = Long.parseLong(m.group(1));
        if (n > (max >> shift) || (n << shift) < min) {
            throw invalid(s, "must be between " + min + " and " + max + " bytes");
        }
        return n << shift;
    }

    /** A readable regular file, resolved against the working directory. */
    public Optional<Path> readableFile(Setting s) {
        return string(s).map(v -> {
            Path p = Path.of(v);
            if (!Files.isRegularFile(p) || !Files.isReadable(p)) {
                throw invalid(s, "is not a readable file");
            }
            return p;
        });
    }

    public ConfigException invalid(Setting s, String problem) {
        Value v = values.get(s);
        String shown = s.key().contains("password") ? "(hidden)" : "'" + (v == null ? "" : v.text()) + "'";
        return new ConfigException(s.key() + " " + shown + " " + problem + " (from " + origin(s) + ")");
    }

    // ---- the config file ----

    private static Map<Setting, Value> readFile(Path file) {
        if (!Files.isReadable(file)) {
            throw new ConfigException("config file " + file + " is not readable");
        }
        Map<String, String> flat = new LinkedHashMap<>();
        String name = file.getFileName().toString().toLowerCase(Locale.ROOT);
        try (Reader reader = Files.newBufferedReader(file)) {
            if (name.endsWith(".properties")) {
                Properties p = new Properties();
                p.load(reader);
                p.stringPropertyNames().forEach(k -> flat.put(k.trim(), p.getProperty(k).trim()));
            } else if (name.endsWith(".yaml") || name.endsWith(".yml")) {
                JsonNode root = new ObjectMapper(new YAMLFactory()).readTree(reader);
                if (root != null && !root.isMissingNode() && !root.isNull()) {
                    if (!root.isObject()) {
                        throw new ConfigException("config file " + file + ": the top level must be a mapping");
                    }
                    flatten("", root, flat, file);
                }
            } else {
                throw new ConfigException("config file " + file + ": name it .yaml, .yml or .properties");
            }
        } catch (IOException e) {
            throw new ConfigException("config file " + file + " is not valid: " + oneLine(e.getMessage()), e);
        }
        Map<Setting, Value> values = new EnumMap<>(Setting.class);
        for (Map.Entry<String, String> e : flat.entrySet()) {
            Setting s = Setting.forKey(e.getKey()).orElseThrow(() -> new ConfigException(
                    "config file " + file + ": unknown setting " + e.getKey()));
            values.put(s, new Value(e.getValue(), "file " + file));
        }
        return values;
    }

    private static void flatten(String prefix, JsonNode node, Map<String, String> out, Path file) {
        Iterator<Map.Entry<String, JsonNode>> fields = node.fields();
        while (fields.hasNext()) {
            Map.Entry<String, JsonNode> f = fields.next();
            String key = prefix.isEmpty() ? f.getKey() : prefix + "." + f.getKey();
            JsonNode v = f.getValue();
            if (v.isObject()) {
                flatten(key, v, out, file);
            } else if (v.isArray()) {
                StringBuilder joined = new StringBuilder();
                for (JsonNode item : v) {
                    if (!item.isValueNode()) {
                        throw new ConfigException("config file " + file + ": " + key + " must be a list of values");
                    }
                    joined.append(joined.length() == 0 ? "" : ",").append(item.asText());
                }
                out.put(key, joined.toString());
            } else if (!v.isNull()) {
                out.put(key, v.asText());
            }
        }
    }

    private static String oneLine(String s) {
        return s == null ? "" : s.replace('\n', ' ').replaceAll("\\s+", " ").strip();
    }
}
