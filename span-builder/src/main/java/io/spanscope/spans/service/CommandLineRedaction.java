package io.spanscope.spans.service;

import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Masks what a command line may reveal: values of options whose name says secret ({@code --password=x},
 * {@code --api-key x}, {@code -Djavax.net.ssl.keyStorePassword=x}) and passwords in URLs
 * ({@code postgres://user:pw@host}). Applied before {@code process.command_line} leaves the agent.
 */
public final class CommandLineRedaction {

    public static final String MASK = "[REDACTED]";

    private static final Pattern SECRET_NAME = Pattern.compile(
            "(?i).*(password|passwd|pwd|secret|token|api[-_.]?key|access[-_.]?key|credential|auth).*");
    private static final Pattern URL_PASSWORD = Pattern.compile("(://[^/:@\\s]+:)[^@/\\s]+@");

    private CommandLineRedaction() {
    }

    public static List<String> redact(List<String> argv) {
        List<String> out = new ArrayList<>(argv.size());
        boolean maskNext = false;
        for (String arg : argv) {
            if (maskNext && !arg.startsWith("-")) {
                out.add(MASK);
                maskNext = false;
                continue;
            }
            maskNext = false;
            String masked = URL_PASSWORD.matcher(arg).replaceAll("$1" + Matcher.quoteReplacement(MASK) + "@");
            int eq = masked.indexOf('=');
            if (eq > 0 && SECRET_NAME.matcher(masked.substring(0, eq)).matches()) {
                masked = masked.substring(0, eq + 1) + MASK;
            } else if (masked.startsWith("-") && !masked.startsWith("--no-") && eq < 0
                    && SECRET_NAME.matcher(masked).matches()) {
                maskNext = true;
            }
            out.add(masked);
        }
        return out;
    }

    /** The redacted argv joined with spaces, as {@code process.command_line}. */
    public static String commandLine(List<String> argv) {
        return String.join(" ", redact(argv));
    }
}
