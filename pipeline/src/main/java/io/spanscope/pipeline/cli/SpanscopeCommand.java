package io.spanscope.pipeline.cli;

import picocli.CommandLine;
import picocli.CommandLine.Command;

import java.io.PrintWriter;

/**
 * The {@code spanscope} command line. Every usage error is one line on stderr and exit code 2; a failure
 * while running is one line and exit code 1 (the stack trace only with {@code SPANSCOPE_DEBUG=1}).
 */
@Command(name = "spanscope",
        mixinStandardHelpOptions = true,
        versionProvider = SpanscopeCommand.Version.class,
        description = "Zero-instrumentation distributed tracing with eBPF.",
        subcommands = {RunCommand.class, AgentCommand.class, SpanBuilderCommand.class, CaptureCommand.class, ReplayCommand.class,
                CommandLine.HelpCommand.class})
public final class SpanscopeCommand implements Runnable {

    public static final int EXIT_USAGE = 2;
    public static final int EXIT_FAILURE = 1;

    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @Override
    public void run() {
        throw new CommandLine.ParameterException(spec.commandLine(), "a subcommand is required (run, agent, span-builder, capture, replay)");
    }

    public static void main(String[] args) {
        System.exit(execute(args));
    }

    /** Runs the command line and returns the exit code; tests call this instead of {@link #main}. */
    public static int execute(String... args) {
        return newCommandLine().execute(args);
    }

    public static CommandLine newCommandLine() {
        CommandLine cl = new CommandLine(new SpanscopeCommand()).setCaseInsensitiveEnumValuesAllowed(true);
        cl.setParameterExceptionHandler(SpanscopeCommand::usageError);
        cl.setExecutionExceptionHandler((ex, commandLine, parseResult) -> {
            PrintWriter err = commandLine.getErr();
            err.println("spanscope: " + oneLine(ex));
            if (System.getenv("SPANSCOPE_DEBUG") != null) {
                ex.printStackTrace(err);
            }
            err.flush();
            return ex instanceof UsageException ? EXIT_USAGE : EXIT_FAILURE;
        });
        return cl;
    }

    private static int usageError(CommandLine.ParameterException ex, String[] args) {
        PrintWriter err = ex.getCommandLine().getErr();
        err.println("spanscope: " + ex.getMessage() + " (see 'spanscope "
                + qualifiedName(ex.getCommandLine()) + "--help')");
        err.flush();
        return EXIT_USAGE;
    }

    private static String qualifiedName(CommandLine cl) {
        String name = cl.getCommandSpec().qualifiedName(" ");
        String sub = name.startsWith("spanscope") ? name.substring("spanscope".length()).trim() : name;
        return sub.isEmpty() ? "" : sub + " ";
    }

    static String oneLine(Throwable ex) {
        String message = ex.getMessage();
        if (message == null || message.isBlank()) {
            message = ex.getClass().getSimpleName();
        }
        return message.replace('\n', ' ').strip();
    }

    /** Thrown by a subcommand for a bad option combination found after parsing: exit code 2. */
    public static final class UsageException extends RuntimeException {
        public UsageException(String message) {
            super(message);
        }
    }

    static final class Version implements CommandLine.IVersionProvider {
        @Override
        public String[] getVersion() {
            String v = SpanscopeCommand.class.getPackage().getImplementationVersion();
            return new String[] {"spanscope " + (v == null ? "dev" : v)};
        }
    }
}
