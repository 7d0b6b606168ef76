package io.spanscope.pipeline.cli;

import picocli.CommandLine;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * A cgroup given as its numeric id or as its directory (e.g. {@code /sys/fs/cgroup/system.slice/x.service}):
 * in cgroup v2 the id the kernel reports for a task is the inode number of its cgroup directory.
 */
public final class CgroupConverter implements CommandLine.ITypeConverter<Long> {

    @Override
    public Long convert(String value) {
        if (value.chars().allMatch(Character::isDigit) && !value.isEmpty() && value.length() < 20) {
            return Long.parseLong(value);
        }
        Path dir = Path.of(value);
        try {
            Object inode = Files.getAttribute(dir, "unix:ino");
            return ((Number) inode).longValue();
        } catch (IOException | UnsupportedOperationException | IllegalArgumentException e) {
            throw new CommandLine.TypeConversionException(
                    "'" + value + "' is neither a cgroup id nor a readable cgroup directory");
        }
    }
}
