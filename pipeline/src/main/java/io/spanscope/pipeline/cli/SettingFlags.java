package io.spanscope.pipeline.cli;

import io.spanscope.pipeline.config.Setting;
import io.spanscope.pipeline.config.Settings;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;

/**
 * The settings given on a command line: named flags and {@code --set KEY=VALUE}, each remembering the flag
 * it came from (a validation error names it). A malformed or unknown {@code --set} is a usage error.
 */
final class SettingFlags {

    private final Map<Setting, Settings.Value> flags = new EnumMap<>(Setting.class);

    /** A named flag; {@code value} null when it was not given. */
    SettingFlags put(Setting setting, String value, String flag) {
        if (value != null) {
            flags.put(setting, new Settings.Value(value, "flag " + flag));
        }
        return this;
    }

    /** Every {@code --set KEY=VALUE}, in order (a later one wins). */
    SettingFlags putAll(List<String> sets) {
        for (String set : sets) {
            int eq = set.indexOf('=');
            String key = eq < 0 ? set : set.substring(0, eq).trim();
            Setting setting = Setting.forKey(key).orElseThrow(() -> new SpanscopeCommand.UsageException(
                    "--set " + key + ": unknown setting"));
            if (eq < 0) {
                throw new SpanscopeCommand.UsageException("--set " + key + ": expected KEY=VALUE");
            }
            put(setting, set.substring(eq + 1), "--set " + key);
        }
        return this;
    }

    Map<Setting, Settings.Value> asMap() {
        return flags;
    }
}
