package io.spanscope.capture.tls;

import java.util.ArrayList;
import java.util.List;

/**
 * A file mapped executable into a process, from one line of {@code /proc/PID/maps}.
 *
 * @param device the kernel's dev_t encoding ({@code major << 20 | minor}), as BPF reads {@code s_dev}
 * @param inode the file's inode number
 * @param path the path as the process sees it (resolve it under {@code /proc/PID/root})
 */
public record MappedFile(long device, long inode, String path) {

    /** Identity of the file: uprobes are attached once per (device, inode), whatever path or process. */
    public record Key(long device, long inode) {
    }

    public Key key() {
        return new Key(device, inode);
    }

    /** File name without directories, for display ("libssl.so.3"). */
    public String fileName() {
        int slash = path.lastIndexOf('/');
        return slash < 0 ? path : path.substring(slash + 1);
    }

    /** The executable file mappings of a maps file's text, each file once, in order of appearance. */
    public static List<MappedFile> executableMappings(CharSequence maps) {
        List<MappedFile> files = new ArrayList<>();
        String text = maps.toString();
        int lineStart = 0;
        while (lineStart < text.length()) {
            int lineEnd = text.indexOf('\n', lineStart);
            if (lineEnd < 0) {
                lineEnd = text.length();
            }
            MappedFile file = parseLine(text.substring(lineStart, lineEnd));
            if (file != null && !files.contains(file)) {
                files.add(file);
            }
            lineStart = lineEnd + 1;
        }
        return files;
    }

    /** {@code address perms offset major:minor inode path}; null unless executable, file-backed and not deleted. */
    static MappedFile parseLine(String line) {
        String[] fields = line.trim().split("\\s+", 6);
        if (fields.length < 6 || fields[1].length() < 3 || fields[1].charAt(2) != 'x' || !fields[5].startsWith("/")
                || fields[5].endsWith(" (deleted)")) {
            return null;
        }
        int colon = fields[3].indexOf(':');
        try {
            long inode = Long.parseLong(fields[4]);
            if (colon < 0 || inode == 0) {
                return null;
            }
            long major = Long.parseLong(fields[3].substring(0, colon), 16);
            long minor = Long.parseLong(fields[3].substring(colon + 1), 16);
            return new MappedFile(major << 20 | minor, inode, fields[5]);
        } catch (NumberFormatException e) {
            return null;
        }
    }
}
