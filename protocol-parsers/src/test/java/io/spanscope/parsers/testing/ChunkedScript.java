package io.spanscope.parsers.testing;

import io.spanscope.capture.event.DataEvent;
import io.spanscope.capture.event.Direction;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Random;

/**
 * A conversation as phases (one message or burst per direction turn), each split into syscall-sized
 * chunks, which can be delivered in order or reordered/duplicated within each phase the way concurrent
 * writers on one socket can make a capture source report them.
 */
public final class ChunkedScript {

    private final Conversation conversation;
    private final List<List<DataEvent>> phases = new ArrayList<>();

    public ChunkedScript(Conversation conversation) {
        this.conversation = conversation;
    }

    /** Splits {@code text} into chunks at the given sizes (cycled); chunk k gets timestamp baseTs + k. */
    public ChunkedScript phase(Direction direction, String text, long baseTs, int tid, int... chunkSizes) {
        byte[] all = Conversation.bytes(text);
        List<DataEvent> phase = new ArrayList<>();
        int offset = 0;
        for (int k = 0; offset < all.length; k++) {
            int n = Math.min(chunkSizes[k % chunkSizes.length], all.length - offset);
            byte[] piece = java.util.Arrays.copyOfRange(all, offset, offset + n);
            phase.add(conversation.send(direction, piece, baseTs + k, tid));
            offset += n;
        }
        phases.add(phase);
        return this;
    }

    public List<DataEvent> inOrder() {
        List<DataEvent> all = new ArrayList<>();
        phases.forEach(all::addAll);
        return all;
    }

    /**
     * Each phase shuffled (the first chunk of each direction stays first: it defines where the stream
     * starts), with exact duplicates and sub-range retransmissions of random chunks mixed in.
     */
    public List<DataEvent> reordered(long seed) {
        Random random = new Random(seed);
        boolean[] directionStarted = new boolean[2];
        List<DataEvent> all = new ArrayList<>();
        for (List<DataEvent> phase : phases) {
            List<DataEvent> shuffled = new ArrayList<>(phase);
            int d = phase.get(0).direction().ordinal();
            DataEvent first = null;
            if (!directionStarted[d]) {
                first = shuffled.remove(0);
                directionStarted[d] = true;
            }
            for (DataEvent e : phase) {
                if (random.nextInt(3) == 0) {
                    shuffled.add(e.copy());
                }
                if (e.payloadLength() > 2 && random.nextInt(3) == 0) {
                    shuffled.add(subRange(e, random));
                }
            }
            Collections.shuffle(shuffled, random);
            if (first != null) {
                all.add(first);
            }
            all.addAll(shuffled);
        }
        return all;
    }

    private static DataEvent subRange(DataEvent e, Random random) {
        int from = random.nextInt(e.payloadLength() - 1);
        int to = from + 1 + random.nextInt(e.payloadLength() - from - 1);
        DataEvent part = e.copy();
        part.setRange(e.tcpSequence() + from, to - from);
        part.setPayload(e.payload(), e.payloadOffset() + from, to - from);
        return part.copy();
    }
}
