package io.distillwatch.features.validate;

/**
 * Syntax checks and prefixes for IP address strings, without any DNS look-up
 * ({@code InetAddress.getByName} resolves anything that is not a literal).
 */
public final class IpAddresses {
  private IpAddresses() {}

  public static boolean isValid(String s) {
    return isV4(s) || isV6(s);
  }

  public static boolean isV4(String s) {
    String[] parts = s.split("\\.", -1);
    if (parts.length != 4) {
      return false;
    }
    for (String p : parts) {
      if (p.isEmpty() || p.length() > 3) {
        return false;
      }
      for (int i = 0; i < p.length(); i++) {
        if (!Character.isDigit(p.charAt(i))) {
          return false;
        }
      }
      if (Integer.parseInt(p) > 255) {
        return false;
      }
    }
    return true;
  }

  public static boolean isV6(String s) {
    if (s.indexOf(':') < 0 || s.length() > 45) {
      return false;
    }
    String body = s;
    int dots = s.indexOf('.');
    if (dots >= 0) { // embedded IPv4 tail, e.g. ::ffff:10.0.0.1
      int lastColon = s.lastIndexOf(':');
      if (!isV4(s.substring(lastColon + 1))) {
        return false;
      }
      body = s.substring(0, lastColon) + ":0:0";
    }
    int doubleColon = body.indexOf("::");
    if (doubleColon >= 0 && body.indexOf("::", doubleColon + 1) >= 0) {
      return false;
    }
    String[] groups = body.split(":", -1);
    int nonEmpty = 0;
    for (String g : groups) {
      if (g.isEmpty()) {
        continue;
      }
      if (g.length() > 4) {
        return false;
      }
      for (int i = 0; i < g.length(); i++) {
        if (Character.digit(g.charAt(i), 16) < 0) {
          return false;
        }
      }
      nonEmpty++;
    }
    return doubleColon >= 0 ? nonEmpty < 8 : nonEmpty == 8 && groups.length == 8;
  }

  /** The /24 network of an IPv4 address ("10.1.2.0/24"), or the /48 of an IPv6 one; null if invalid. */
  public static String prefix(String ip) {
    if (ip == null) {
      return null;
    }
    if (isV4(ip)) {
      return ip.substring(0, ip.lastIndexOf('.')) + ".0/24";
    }
    if (isV6(ip)) {
      String[] g = ip.split(":", -1);
      StringBuilder sb = new StringBuilder();
      for (int i = 0; i < Math.min(3, g.length); i++) {
        sb.append(g[i].isEmpty() ? "0" : g[i]).append(':');
      }
      return sb.append(":/48").toString();
    }
    return null;
  }
}
