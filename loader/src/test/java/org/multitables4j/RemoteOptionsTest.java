package org.multitables4j;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotSame;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** RemoteOptions reads as ProcessOptions: an immutable record whose with... methods return copies. */
class RemoteOptionsTest {
    @Test
    void withMethodsReturnCopiesAndLeaveTheOriginal() {
        RemoteOptions base = RemoteOptions.defaults();
        ReadStats stats = new ReadStats();
        Object conf = new Object();
        RemoteOptions o = base.withProperty("fs.s3a.endpoint", "http://127.0.0.1:9000")
                .withProperty("fs.s3a.path.style.access", "true")
                .withProperty("fs.s3a.endpoint", "http://10.0.0.1:9000")
                .withHadoopConfiguration(conf)
                .withMetadataBlockBytes(4096)
                .withMetadataCacheBytes(1 << 20)
                .withStats(stats);
        assertEquals(Map.of(), base.properties(), "the defaults are unchanged");
        assertNull(base.hadoopConfiguration());
        assertEquals(128 << 10, base.metadataBlockBytes());
        assertEquals(32L << 20, base.metadataCacheBytes());
        assertNull(base.stats());
        // a later value of a key replaces the earlier one, in first-set order
        assertEquals(List.of("fs.s3a.endpoint", "fs.s3a.path.style.access"), List.copyOf(o.properties().keySet()));
        assertEquals("http://10.0.0.1:9000", o.properties().get("fs.s3a.endpoint"));
        assertSame(conf, o.hadoopConfiguration());
        assertEquals(4096, o.metadataBlockBytes());
        assertEquals(1 << 20, o.metadataCacheBytes());
        assertSame(stats, o.stats());
        assertNotSame(base, o);
    }

    @Test
    void propertiesAreCopiedAndReadOnly() {
        Map<String, String> mine = new HashMap<>();
        mine.put("a", "1");
        RemoteOptions o = RemoteOptions.defaults().withProperties(mine);
        mine.put("b", "2");
        assertEquals(Map.of("a", "1"), o.properties(), "changing the caller's map later changes nothing");
        assertThrows(UnsupportedOperationException.class, () -> o.properties().put("c", "3"));
    }

    @Test
    void badValuesAreRefusedNamingTheOption() {
        RemoteOptions d = RemoteOptions.defaults();
        for (int bad : new int[] {0, 1024, 4095, 3 << 12, 32 << 20}) {
            InvalidConfigurationException e = assertThrows(InvalidConfigurationException.class, () -> d.withMetadataBlockBytes(bad));
            assertTrue(e.getMessage().contains("metadataBlockBytes") && e.getMessage().contains(Integer.toString(bad)), e.getMessage());
        }
        InvalidConfigurationException e = assertThrows(InvalidConfigurationException.class, () -> d.withMetadataCacheBytes(4096));
        assertTrue(e.getMessage().contains("metadataCacheBytes"), e.getMessage());
        assertThrows(InvalidConfigurationException.class, () -> d.withProperty(null, "x"));
        assertThrows(InvalidConfigurationException.class, () -> d.withProperty("k", null));
        Map<String, String> withNull = new HashMap<>();
        withNull.put("k", null);
        assertThrows(InvalidConfigurationException.class, () -> d.withProperties(withNull));
    }

    @Test
    void toStringNeverShowsAPropertyValue() {
        String s = RemoteOptions.defaults().withProperty("fs.s3a.secret.key", "s3cr3t-value").toString();
        assertTrue(s.contains("fs.s3a.secret.key"), s);
        assertFalse(s.contains("s3cr3t-value"), s);
    }
}
