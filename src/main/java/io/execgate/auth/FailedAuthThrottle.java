package io.execgate.auth;

import io.vertx.core.shareddata.Shareable;

import java.net.Inet6Address;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.regex.Pattern;

/**
 * Failed authentications per source address, as token buckets: an address may fail up to
 * {@code perMinute} times at once, then once per 60/perMinute seconds; past that, its requests are
 * refused before their credentials are looked at. The table is bounded: past {@code maxAddresses},
 * the address that failed least recently is forgotten. IPv6 addresses count per /64 (one host
 * usually holds a whole /64). Shared by a gateway's HTTP verticle instances; thread-safe.
 */
public final class FailedAuthThrottle implements Shareable {

  private static final Pattern IPV6 = Pattern.compile("[0-9A-Fa-f:.]+");

  private final int perMinute;
  private final Map<String, TokenBucket> buckets;

  /**
   * @param perMinute    failures an address may have per minute (also its burst); 0: no throttling
   * @param maxAddresses addresses remembered at most
   */
  public FailedAuthThrottle(int perMinute, int maxAddresses) {
    this.perMinute = perMinute;
    this.buckets = new LinkedHashMap<>(16, 0.75f, true) {
      @Override
      protected boolean removeEldestEntry(Map.Entry<String, TokenBucket> eldest) {
        return size() > maxAddresses;
      }
    };
  }

  /**
   * @return 0 when {@code address} may try to authenticate, else the seconds until it may again
   */
  public synchronized long retryAfter(String address, long nowNanos) {
    if (perMinute <= 0) {
      return 0;
    }
    TokenBucket bucket = buckets.get(key(address));
    if (bucket == null) {
      return 0;
    }
    bucket.refill(perMinute, nowNanos);
    return bucket.secondsUntilToken(perMinute);
  }

  /**
   * Counts a failed authentication from {@code address}.
   */
  public synchronized void failed(String address, long nowNanos) {
    if (perMinute <= 0) {
      return;
    }
    TokenBucket bucket = buckets.computeIfAbsent(key(address), k -> new TokenBucket(perMinute, nowNanos));
    bucket.refill(perMinute, nowNanos);
    bucket.drain();
  }

  /**
   * @return how many addresses are remembered
   */
  public synchronized int size() {
    return buckets.size();
  }

  static String key(String address) {
    if (address == null || address.indexOf(':') < 0 || !IPV6.matcher(address).matches()) {
      return address == null ? "" : address;
    }
    try {
      // an IPv6 literal: no name lookup happens
      InetAddress ip = InetAddress.getByName(address);
      if (ip instanceof Inet6Address) {
        byte[] b = ip.getAddress();
        return String.format("%02x%02x:%02x%02x:%02x%02x:%02x%02x::/64", b[0], b[1], b[2], b[3], b[4], b[5], b[6], b[7]);
      }
      return ip.getHostAddress();
    } catch (UnknownHostException e) {
      return address;
    }
  }
}
