package io.execgate.model;

import io.vertx.core.json.JsonObject;

import java.util.Objects;

/**
 * A user name and password for one container registry, sent with the pulls from it.
 *
 * @param username the user name
 * @param password the password or access token
 */
public record RegistryCredentials(String username, String password) {

  public RegistryCredentials {
    Objects.requireNonNull(username);
    Objects.requireNonNull(password);
  }

  public JsonObject toJson() {
    return new JsonObject().put("username", username).put("password", password);
  }

  @Override
  public String toString() {
    // never the password: options end up in logs
    return "RegistryCredentials[" + username + ", ***]";
  }
}
