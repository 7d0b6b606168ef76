package io.spanscope.spans.service;

import io.opentelemetry.sdk.resources.Resource;

/**
 * Who a span belongs to: the service name and the OpenTelemetry resource of the observed process.
 *
 * @param traced false for a process capture could not describe (gone before it was looked up)
 */
public record ServiceIdentity(String serviceName, Resource resource, boolean traced) {
}
