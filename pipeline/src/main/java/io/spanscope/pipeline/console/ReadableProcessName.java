package io.spanscope.pipeline.console;

import java.util.List;

/**
 * A short, readable name for a process from its executable and command line: the executable's base name,
 * except for runtimes whose executable says little — for {@code java} the jar or main class, for
 * {@code python} the script or module, for {@code node} the script.
 */
public final class ReadableProcessName {

    private ReadableProcessName() {
    }

    public static String of(String executable, List<String> commandLine) {
        String exe = baseName(executable.isEmpty() && !commandLine.isEmpty() ? commandLine.get(0) : executable);
        if (exe.startsWith("java")) {
            String target = javaTarget(commandLine);
            return target == null ? exe : target;
        }
        if (exe.startsWith("python") || exe.equals("node")) {
            String script = scriptArgument(commandLine);
            return script == null ? exe : script;
        }
        return exe;
    }

    private static String javaTarget(List<String> args) {
        for (int i = 1; i < args.size(); i++) {
            String a = args.get(i);
            if (a.equals("-jar") && i + 1 < args.size()) {
                return stripSuffix(baseName(args.get(i + 1)), ".jar");
            }
            if (a.equals("-cp") || a.equals("-classpath") || a.equals("--class-path") || a.equals("-p")
                    || a.equals("--module-path") || a.equals("--add-opens") || a.equals("--add-exports")) {
                i++;
            } else if (a.equals("-m") || a.equals("--module")) {
                return i + 1 < args.size() ? args.get(i + 1) : null;
            } else if (!a.startsWith("-")) {
                String main = stripSuffix(baseName(a), ".java");
                int dot = main.lastIndexOf('.');
                return dot >= 0 && dot < main.length() - 1 ? main.substring(dot + 1) : main;
            }
        }
        return null;
    }

    private static String scriptArgument(List<String> args) {
        for (int i = 1; i < args.size(); i++) {
            String a = args.get(i);
            if (a.equals("-m") && i + 1 < args.size()) {
                return args.get(i + 1);
            }
            if (a.equals("-c")) {
                return null;
            }
            if (!a.startsWith("-")) {
                return stripSuffix(stripSuffix(baseName(a), ".py"), ".js");
            }
        }
        return null;
    }

    private static String baseName(String path) {
        int slash = path.lastIndexOf('/');
        return slash >= 0 ? path.substring(slash + 1) : path;
    }

    private static String stripSuffix(String s, String suffix) {
        return s.endsWith(suffix) && s.length() > suffix.length() ? s.substring(0, s.length() - suffix.length()) : s;
    }
}
