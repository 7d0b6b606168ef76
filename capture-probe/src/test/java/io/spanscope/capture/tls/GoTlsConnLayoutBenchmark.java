package io.spanscope.capture.tls;

import java.nio.file.Path;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Warmup;
import org.openjdk.jmh.runner.Runner;
import org.openjdk.jmh.runner.options.OptionsBuilder;

/**
 * Time to read a Go binary's crypto/tls.Conn layout from its DWARF ({@link GoTlsConnLayout#read}): open the
 * file, inflate and walk .debug_info until the four types are found. It runs once per Go binary, on the
 * discovery thread, before the probes go on: calls made meanwhile are not captured.
 *
 * <p>Run from capture-probe/ (the grpc-go peer as the binary):
 * <pre>
 * go build -C ../scripts/pcap-peers/grpc-go -o $PWD/target/bench-grpc-go .
 * mvn -q -o test-compile dependency:build-classpath -Dmdep.outputFile=target/cp.txt -Dmdep.includeScope=test
 * java -cp target/test-classes:target/classes:$(cat target/cp.txt) io.spanscope.capture.tls.GoTlsConnLayoutBenchmark [BINARY]
 * </pre>
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.SingleShotTime)
@OutputTimeUnit(TimeUnit.MILLISECONDS)
@Warmup(iterations = 10)
@Measurement(iterations = 30)
@Fork(value = 1, jvmArgsAppend = {"-Xmx256m"})
public class GoTlsConnLayoutBenchmark {

    @Param("target/bench-grpc-go")
    public String binary;

    @Benchmark
    public Optional<GoTlsConnLayout> readLayout() throws Exception {
        try (ElfSections elf = ElfSections.open(Path.of(binary)).orElseThrow()) {
            return GoTlsConnLayout.read(elf);
        }
    }

    public static void main(String[] args) throws Exception {
        OptionsBuilder options = new OptionsBuilder();
        options.include(GoTlsConnLayoutBenchmark.class.getSimpleName());
        if (args.length > 0) {
            options.param("binary", args[0]);
        }
        new Runner(options.build()).run();
    }
}
