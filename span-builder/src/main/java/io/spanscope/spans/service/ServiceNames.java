package io.spanscope.spans.service;

import io.spanscope.capture.proc.ProcessMetadata;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The name a process is known by in traces, in the order a user expects: what the application says
 * about itself ({@code OTEL_SERVICE_NAME}, then {@code service.name} in {@code OTEL_RESOURCE_ATTRIBUTES}),
 * else its Kubernetes workload (from the pod name a container's {@code HOSTNAME} carries), else a
 * readable name from its command line. Runtimes are seen through: a JVM is named after its jar or
 * main class, Python and Node after their script or module, not "java" or "python3".
 */
public final class ServiceNames {

    /** Interpreter options (python, node, ruby) whose value is the next argument, not the script. */
    private static final List<String> SCRIPT_OPTIONS_WITH_VALUE = List.of("-W", "-X", "--check-hash-based-pycs",
            "-r", "--require", "--import", "--loader", "--experimental-loader", "-I", "-E", "--env-file");

    private static final List<String> JVM_OPTIONS_WITH_VALUE = List.of("-cp", "-classpath", "--class-path", "-p",
            "--module-path", "--add-modules", "--add-opens", "--add-exports", "--add-reads", "-javaagent");

    private ServiceNames() {
    }

    public static String of(ProcessMetadata process) {
        String fromEnvironment = process.serviceEnvironment().get("OTEL_SERVICE_NAME");
        if (fromEnvironment != null && !fromEnvironment.isBlank()) {
            return fromEnvironment.trim();
        }
        Optional<String> fromResource = serviceNameInResourceAttributes(
                process.serviceEnvironment().getOrDefault("OTEL_RESOURCE_ATTRIBUTES", ""));
        if (fromResource.isPresent()) {
            return fromResource.get();
        }
        Optional<String> workload = kubernetesWorkload(process);
        if (workload.isPresent()) {
            return workload.get();
        }
        return fromCommandLine(process.executable(), process.commandLine());
    }

    /**
     * Pods of a Deployment: NAME-<template hash>-<5>; of a DaemonSet or Job: NAME-<5>; of a StatefulSet:
     * NAME-<ordinal>. Kubernetes draws hashes and suffixes from an alphabet without vowels (so that they never
     * spell words), which keeps a name's own words ("node-exporter") from being taken for a suffix.
     */
    private static final String K8S_SAFE = "[bcdfghjklmnpqrstvwxz2-9]";
    private static final Pattern DEPLOYMENT_POD = Pattern.compile("(.+)-" + K8S_SAFE + "{6,10}-" + K8S_SAFE + "{5}");
    private static final Pattern DAEMONSET_POD = Pattern.compile("(.+)-" + K8S_SAFE + "{5}");
    private static final Pattern STATEFULSET_POD = Pattern.compile("(.+)-\\d+");

    /**
     * The workload of a process in a Kubernetes pod: its pod name (the HOSTNAME Kubernetes sets) without the
     * suffixes its controller appends. Only for processes in a container, where HOSTNAME is the pod's.
     */
    static Optional<String> kubernetesWorkload(ProcessMetadata process) {
        String pod = process.serviceEnvironment().get("HOSTNAME");
        if (process.containerId().isEmpty() || pod == null || pod.isBlank()) {
            return Optional.empty();
        }
        for (Pattern p : List.of(DEPLOYMENT_POD, STATEFULSET_POD, DAEMONSET_POD)) {
            Matcher m = p.matcher(pod);
            if (m.matches()) {
                return Optional.of(m.group(1));
            }
        }
        return Optional.of(pod);
    }

    static Optional<String> serviceNameInResourceAttributes(String attributes) {
        for (String pair : attributes.split(",")) {
            int eq = pair.indexOf('=');
            if (eq > 0 && pair.substring(0, eq).trim().equals("service.name")) {
                String value = pair.substring(eq + 1).trim();
                if (!value.isEmpty()) {
                    return Optional.of(value);
                }
            }
        }
        return Optional.empty();
    }

    /** A readable name from the executable path and argv; never empty. */
    public static String fromCommandLine(String executable, List<String> argv) {
        String program = baseName(!executable.isEmpty() ? executable : argv.isEmpty() ? "" : argv.get(0));
        String runtime = program.toLowerCase(Locale.ROOT);
        Optional<String> name = Optional.empty();
        if (runtime.equals("java")) {
            name = javaApplication(argv);
        } else if (runtime.startsWith("python") || runtime.equals("node") || runtime.equals("nodejs")
                || runtime.startsWith("ruby") || runtime.equals("perl") || runtime.equals("php")) {
            name = scriptApplication(argv);
        }
        if (name.isPresent()) {
            return name.get();
        }
        if (!program.isEmpty()) {
            return program;
        }
        return "unknown_service";
    }

    private static Optional<String> javaApplication(List<String> argv) {
        for (int i = 1; i < argv.size(); i++) {
            String arg = argv.get(i);
            if (arg.equals("-jar") && i + 1 < argv.size()) {
                return Optional.of(stripVersion(stripSuffix(baseName(argv.get(i + 1)), ".jar")));
            }
            if ((arg.equals("-m") || arg.equals("--module")) && i + 1 < argv.size()) {
                String module = argv.get(i + 1);
                int slash = module.indexOf('/');
                return Optional.of(simpleClassName(slash >= 0 ? module.substring(slash + 1) : module));
            }
            if (JVM_OPTIONS_WITH_VALUE.contains(arg)) {
                i++;
            } else if (!arg.startsWith("-")) {
                // the first argument that is not a JVM option: the main class, or a single-file source program
                return Optional.of(arg.endsWith(".java") ? stripSuffix(baseName(arg), ".java") : simpleClassName(arg));
            }
        }
        return Optional.empty();
    }

    private static Optional<String> scriptApplication(List<String> argv) {
        for (int i = 1; i < argv.size(); i++) {
            String arg = argv.get(i);
            if (arg.equals("-m") && i + 1 < argv.size()) {
                return Optional.of(argv.get(i + 1));
            }
            if (arg.equals("-c") || arg.equals("-e")) {
                return Optional.empty();
            }
            if (SCRIPT_OPTIONS_WITH_VALUE.contains(arg)) {
                i++;
                continue;
            }
            if (!arg.startsWith("-")) {
                String script = baseName(arg);
                for (String suffix : List.of(".py", ".js", ".mjs", ".cjs", ".rb", ".pl", ".php")) {
                    script = stripSuffix(script, suffix);
                }
                return Optional.of(script);
            }
        }
        return Optional.empty();
    }

    private static String simpleClassName(String className) {
        int dot = className.lastIndexOf('.');
        return dot >= 0 && dot < className.length() - 1 ? className.substring(dot + 1) : className;
    }

    /** {@code orders-service-1.4.2-SNAPSHOT} → {@code orders-service}. */
    private static String stripVersion(String name) {
        return name.replaceFirst("-\\d+(\\.\\d+)*([.-][A-Za-z0-9]+)*$", "");
    }

    private static String stripSuffix(String name, String suffix) {
        return name.endsWith(suffix) && name.length() > suffix.length()
                ? name.substring(0, name.length() - suffix.length()) : name;
    }

    static String baseName(String path) {
        int slash = path.lastIndexOf('/');
        return slash >= 0 ? path.substring(slash + 1) : path;
    }
}
