package io.spanscope.spans.service;

import static org.assertj.core.api.Assertions.assertThat;

import io.spanscope.capture.proc.ProcessMetadata;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;

class ServiceNamesTest {

    private static final String JAVA = "/usr/lib/jvm/java-17-openjdk-amd64/bin/java";

    private static String name(String executable, String... argv) {
        return ServiceNames.of(process(executable, Map.of(), argv));
    }

    private static ProcessMetadata process(String executable, Map<String, String> env, String... argv) {
        return new ProcessMetadata(4242, executable, List.of(argv), 123L, Optional.empty(), env);
    }

    @Test
    void javaJarIsNamedAfterTheJarWithoutItsVersion() {
        assertThat(name(JAVA, "java", "-Xmx512m", "-Dspring.profiles.active=prod", "-jar",
                "/opt/app/orders-service-1.4.2-SNAPSHOT.jar", "--server.port=8080")).isEqualTo("orders-service");
        assertThat(name(JAVA, "java", "-jar", "billing-2.0.1.jar")).isEqualTo("billing");
        assertThat(name(JAVA, "java", "-jar", "gateway.jar")).isEqualTo("gateway");
        assertThat(name(JAVA, "java", "-jar", "app-3.1.0-RC1.jar")).isEqualTo("app");
    }

    @Test
    void javaMainClassIsFoundPastOptionsAndTheirValues() {
        assertThat(name(JAVA, "java", "-cp", "lib/*:classes", "-Dlog.level=debug", "-XX:+UseG1GC", "-Xss1m",
                "com.example.billing.BillingApplication", "--port", "9000")).isEqualTo("BillingApplication");
        assertThat(name(JAVA, "java", "-classpath", "/a.jar", "--add-opens", "java.base/java.lang=ALL-UNNAMED",
                "-javaagent", "x.jar", "Main")).isEqualTo("Main");
    }

    @Test
    void javaModuleIsNamedAfterItsMainClass() {
        assertThat(name(JAVA, "java", "--module-path", "mods", "-m",
                "com.example.inventory/com.example.inventory.InventoryMain")).isEqualTo("InventoryMain");
        assertThat(name(JAVA, "java", "-p", "mods", "--module", "com.example.inventory/Inventory"))
                .isEqualTo("Inventory");
    }

    @Test
    void javaSingleFileProgramIsNamedAfterItsSourceFile() {
        assertThat(name(JAVA, "java", "-Xmx64m", "/tmp/demo/EchoServer.java", "8080")).isEqualTo("EchoServer");
    }

    @Test
    void javaWithNothingToNameItStaysJava() {
        assertThat(name(JAVA, "java", "-version")).isEqualTo("java");
    }

    @Test
    void scriptRuntimesAreNamedAfterTheScriptOrModule() {
        assertThat(name("/usr/bin/python3.11", "python3", "-u", "/srv/app/worker.py", "--queue", "jobs"))
                .isEqualTo("worker");
        assertThat(name("/usr/bin/python3.11", "python3", "-m", "gunicorn", "app:wsgi")).isEqualTo("gunicorn");
        assertThat(name("/usr/bin/node", "node", "--enable-source-maps", "/srv/api/server.mjs"))
                .isEqualTo("server");
        assertThat(name("/usr/bin/node", "node", "index.js")).isEqualTo("index");
        assertThat(name("/usr/bin/python3.11", "python3", "-W", "ignore", "-X", "dev", "app.py")).isEqualTo("app");
        assertThat(name("/usr/bin/node", "node", "--require", "dotenv/config", "api.js")).isEqualTo("api");
    }

    @Test
    void inlineScriptsFallBackToTheRuntime() {
        assertThat(name("/usr/bin/python3.11", "python3", "-c", "print(1)")).isEqualTo("python3.11");
    }

    @Test
    void plainBinariesAreNamedAfterTheExecutable() {
        assertThat(name("/usr/sbin/nginx", "nginx: master process /usr/sbin/nginx", "-g", "daemon off;"))
                .isEqualTo("nginx");
        assertThat(name("", "/usr/local/bin/envoy", "-c", "envoy.yaml")).isEqualTo("envoy");
        assertThat(name("")).isEqualTo("unknown_service");
    }

    @Test
    void otelServiceNameWinsOverEverything() {
        ProcessMetadata p = process(JAVA, Map.of("OTEL_SERVICE_NAME", " checkout ",
                "OTEL_RESOURCE_ATTRIBUTES", "service.name=other"), "java", "-jar", "shop-1.0.jar");
        assertThat(ServiceNames.of(p)).isEqualTo("checkout");
    }

    @Test
    void resourceAttributesServiceNameComesNext() {
        ProcessMetadata p = process(JAVA, Map.of("OTEL_SERVICE_NAME", "  ",
                "OTEL_RESOURCE_ATTRIBUTES", "deployment.environment=prod, service.name = payments ,team=core"),
                "java", "-jar", "shop-1.0.jar");
        assertThat(ServiceNames.of(p)).isEqualTo("payments");
    }

    @Test
    void resourceAttributesWithoutServiceNameFallBackToTheCommandLine() {
        ProcessMetadata p = process(JAVA, Map.of("OTEL_RESOURCE_ATTRIBUTES", "service.namespace=shop,service.name="),
                "java", "-jar", "shop-1.0.jar");
        assertThat(ServiceNames.of(p)).isEqualTo("shop");
    }

    @Test
    void aProcessInAKubernetesPodIsNamedAfterItsWorkload() {
        assertThat(inPod("checkout-7d9f8b6c5d-x2x7z")).isEqualTo("checkout");
        assertThat(inPod("payments-api-5c4b9d7f8-qwrtz")).isEqualTo("payments-api");
        assertThat(inPod("kafka-2")).isEqualTo("kafka");
        assertThat(inPod("node-exporter-8kq2z")).isEqualTo("node-exporter");
        assertThat(inPod("standalone")).isEqualTo("standalone");
        assertThat(inPod("web-server")).as("words are not suffixes").isEqualTo("web-server");
        // OTEL_SERVICE_NAME still wins; outside a container HOSTNAME is the machine's and says nothing
        assertThat(ServiceNames.of(new ProcessMetadata(1, "/usr/bin/python3", List.of("python3", "app.py"), 1L,
                Optional.of("a".repeat(64)), Map.of("HOSTNAME", "checkout-7d9f8b6c5d-x2x7z",
                        "OTEL_SERVICE_NAME", "orders")))).isEqualTo("orders");
        assertThat(ServiceNames.of(process("/usr/bin/python3", Map.of("HOSTNAME", "build-host-1"), "python3", "app.py")))
                .isEqualTo("app");
    }

    private static String inPod(String podName) {
        return ServiceNames.of(new ProcessMetadata(1, "/usr/bin/python3", List.of("python3", "app.py"), 1L,
                Optional.of("a".repeat(64)), Map.of("HOSTNAME", podName)));
    }
}
