package io.spanscope.pipeline.builder;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.admin.TopicDescription;
import org.apache.kafka.common.errors.TopicExistsException;
import org.apache.kafka.common.errors.UnknownTopicOrPartitionException;

/**
 * Makes sure the span builder's topics exist with the layout its join needs: the known-spans topic has as
 * many partitions as the fragments topic (the default partitioner then sends a fragment and the
 * announcement of the span it waits for to the same partition number). Missing topics are created;
 * an existing known-spans topic of another partition count is an error (it cannot be fixed in place).
 */
final class TopicLayout {

    private TopicLayout() {
    }

    /** @return the partition count of the fragments topic */
    static int ensure(Map<String, Object> clientProperties, SpanBuilderSettings settings, int defaultPartitions)
            throws InterruptedException {
        try (Admin admin = Admin.create(clientProperties)) {
            int partitions = partitions(admin, settings.fragmentsTopic());
            if (partitions < 0) {
                create(admin, settings.fragmentsTopic(), defaultPartitions);
                partitions = defaultPartitions;
            }
            int known = partitions(admin, settings.knownSpansTopic());
            if (known < 0) {
                create(admin, settings.knownSpansTopic(), partitions);
            } else if (known != partitions) {
                throw new IllegalStateException("topic " + settings.knownSpansTopic() + " has " + known
                        + " partitions but " + settings.fragmentsTopic() + " has " + partitions
                        + ": they must be equal (delete " + settings.knownSpansTopic() + " to have it recreated)");
            }
            if (partitions(admin, settings.resolvedTopic()) < 0) {
                create(admin, settings.resolvedTopic(), partitions);
            }
            return partitions;
        }
    }

    private static int partitions(Admin admin, String topic) throws InterruptedException {
        try {
            Map<String, TopicDescription> d = admin.describeTopics(Set.of(topic)).allTopicNames().get(30, TimeUnit.SECONDS);
            return d.get(topic).partitions().size();
        } catch (ExecutionException e) {
            if (e.getCause() instanceof UnknownTopicOrPartitionException) {
                return -1;
            }
            throw new IllegalStateException("cannot describe topic " + topic + ": " + e.getCause().getMessage(), e);
        } catch (TimeoutException e) {
            throw new IllegalStateException("Kafka did not answer within 30 s (describing " + topic + ")", e);
        }
    }

    private static void create(Admin admin, String topic, int partitions) throws InterruptedException {
        List<NewTopic> topics = new ArrayList<>();
        topics.add(new NewTopic(topic, java.util.Optional.of(partitions), java.util.Optional.empty()));
        try {
            admin.createTopics(topics).all().get(30, TimeUnit.SECONDS);
        } catch (ExecutionException e) {
            if (!(e.getCause() instanceof TopicExistsException)) {
                throw new IllegalStateException("cannot create topic " + topic + ": " + e.getCause().getMessage(), e);
            }
        } catch (TimeoutException e) {
            throw new IllegalStateException("Kafka did not answer within 30 s (creating " + topic + ")", e);
        }
    }
}
