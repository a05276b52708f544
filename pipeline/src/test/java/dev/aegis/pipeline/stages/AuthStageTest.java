package dev.aegis.pipeline.stages;

import static dev.aegis.pipeline.PipelineFixtures.AGENT;
import static dev.aegis.pipeline.PipelineFixtures.TENANT;
import static dev.aegis.pipeline.PipelineFixtures.TOKEN;
import static dev.aegis.pipeline.PipelineFixtures.agentPrincipal;
import static dev.aegis.pipeline.PipelineFixtures.assertProceeds;
import static dev.aegis.pipeline.PipelineFixtures.cause;
import static dev.aegis.pipeline.PipelineFixtures.principal;
import static dev.aegis.pipeline.PipelineFixtures.request;
import static dev.aegis.pipeline.PipelineFixtures.respond;
import static dev.aegis.pipeline.PipelineFixtures.tenantSettings;
import static org.assertj.core.api.Assertions.assertThat;

import dev.aegis.pipeline.RequestContext;
import dev.aegis.pipeline.StageId;
import dev.aegis.pipeline.Verdict;
import dev.aegis.pipeline.ports.Principal;
import dev.aegis.pipeline.ports.TenantDirectory;
import dev.aegis.pipeline.ports.TenantSettings;
import dev.aegis.pipeline.ports.TokenVerifier;
import io.vertx.core.Future;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class AuthStageTest {

  private final List<String> verifiedTokens = new ArrayList<>();
  private final List<String> tenantLookups = new ArrayList<>();
  private final TenantSettings settings = tenantSettings();

  private AuthStage cut(Principal p) {
    return cut(token -> {
      verifiedTokens.add(token);
      return Future.succeededFuture(p);
    });
  }

  private AuthStage cut(TokenVerifier verifier) {
    TenantDirectory tenants = id -> {
      tenantLookups.add(id);
      return Future.succeededFuture(TENANT.equals(id) ? settings : null);
    };
    return new AuthStage(verifier, tenants);
  }

  @Test
  void should_identify_as_stage_1() {
    assertThat(cut(agentPrincipal()).id()).isEqualTo(StageId.AUTH);
  }

  @Test
  void should_proceed_and_set_principal_and_tenant_when_agent_token_is_valid() {
    // GIVEN
    RequestContext ctx = request().tenantHeader(TENANT).build();
    Principal p = agentPrincipal();

    // WHEN
    Future<Verdict> f = cut(p).apply(ctx);

    // THEN
    assertProceeds(f);
    assertThat(verifiedTokens).containsExactly(TOKEN);
    assertThat(tenantLookups).containsExactly(TENANT);
    assertThat(ctx.principal()).isSameAs(p);
    assertThat(ctx.tenant()).isSameAs(settings);
    assertThat(ctx.tenantId()).isEqualTo(TENANT);
    assertThat(ctx.agentId()).isEqualTo(AGENT);
  }

  @Test
  void should_take_agent_from_token_when_agent_header_is_absent() {
    RequestContext ctx = request().agentHeader(null).build();

    assertProceeds(cut(agentPrincipal()).apply(ctx));
    assertThat(ctx.agentId()).isEqualTo(AGENT);
  }

  @Test
  void should_accept_case_insensitive_bearer_scheme() {
    RequestContext ctx = request().authorization("bearer   " + TOKEN).build();

    assertProceeds(cut(agentPrincipal()).apply(ctx));
    assertThat(verifiedTokens).containsExactly(TOKEN);
  }

  @Test
  void should_deny_401_missing_credentials_when_authorization_header_absent() {
    // GIVEN
    RequestContext ctx = request().authorization(null).build();

    // WHEN
    Verdict.Respond r = respond(cut(agentPrincipal()).apply(ctx));

    // THEN
    assertThat(r.status()).isEqualTo(401);
    assertThat(r.errorKey()).isEqualTo("missing_credentials");
    assertThat(verifiedTokens).isEmpty();
    assertThat(ctx.principal()).isNull();
  }

  @ParameterizedTest
  @ValueSource(strings = {"Basic dXNlcjpwYXNz", "Bearer", "Bearer    ", "Token abc", ""})
  void should_deny_401_invalid_token_when_not_a_bearer_credential(String header) {
    RequestContext ctx = request().authorization(header).build();

    Verdict.Respond r = respond(cut(agentPrincipal()).apply(ctx));

    assertThat(r.status()).isEqualTo(401);
    assertThat(r.errorKey()).isEqualTo("invalid_token");
    assertThat(verifiedTokens).isEmpty();
  }

  @Test
  void should_deny_401_with_verifier_key_when_token_expired() {
    // GIVEN
    AuthStage cut = cut(token -> Future.failedFuture(new TokenVerifier.AuthFailure("token_expired", "The token has expired")));
    RequestContext ctx = request().build();

    // WHEN
    Verdict.Respond r = respond(cut.apply(ctx));

    // THEN
    assertThat(r.status()).isEqualTo(401);
    assertThat(r.errorKey()).isEqualTo("token_expired");
    assertThat(r.detail()).isEqualTo("The token has expired");
    assertThat(ctx.principal()).isNull();
  }

  @Test
  void should_fail_future_when_verifier_fails_with_infrastructure_error() {
    AuthStage cut = cut(token -> Future.failedFuture(new IllegalStateException("jwks unreachable")));

    assertThat(cause(cut.apply(request().build()))).hasMessage("jwks unreachable");
  }

  @Test
  void should_deny_403_tenant_mismatch_when_tenant_header_differs_from_token() {
    // GIVEN
    RequestContext ctx = request().tenantHeader("other-tenant").build();

    // WHEN
    Verdict.Respond r = respond(cut(agentPrincipal()).apply(ctx));

    // THEN
    assertThat(r.status()).isEqualTo(403);
    assertThat(r.errorKey()).isEqualTo("tenant_mismatch");
    assertThat(ctx.principal()).isNull();
    assertThat(tenantLookups).isEmpty();
  }

  @ParameterizedTest
  @ValueSource(strings = {Principal.Roles.VIEWER, Principal.Roles.AUDITOR})
  void should_deny_403_insufficient_role_when_role_cannot_execute(String role) {
    RequestContext ctx = request().build();

    Verdict.Respond r = respond(cut(principal(role, null)).apply(ctx));

    assertThat(r.status()).isEqualTo(403);
    assertThat(r.errorKey()).isEqualTo("insufficient_role");
    assertThat(ctx.principal()).isNull();
  }

  @Test
  void should_deny_403_agent_mismatch_when_agent_token_used_for_other_agent() {
    RequestContext ctx = request().agentHeader("agent-2").build();

    Verdict.Respond r = respond(cut(agentPrincipal()).apply(ctx));

    assertThat(r.status()).isEqualTo(403);
    assertThat(r.errorKey()).isEqualTo("agent_mismatch");
    assertThat(ctx.principal()).isNull();
  }

  @ParameterizedTest
  @ValueSource(strings = {Principal.Roles.ADMIN, Principal.Roles.SECURITY})
  void should_deny_400_missing_agent_id_when_human_caller_sends_no_agent_header(String role) {
    RequestContext ctx = request().agentHeader(null).build();

    Verdict.Respond r = respond(cut(principal(role, null)).apply(ctx));

    assertThat(r.status()).isEqualTo(400);
    assertThat(r.errorKey()).isEqualTo("missing_agent_id");
  }

  @Test
  void should_deny_400_missing_agent_id_when_agent_header_is_blank() {
    RequestContext ctx = request().agentHeader("  ").build();

    Verdict.Respond r = respond(cut(principal(Principal.Roles.ADMIN, null)).apply(ctx));

    assertThat(r.errorKey()).isEqualTo("missing_agent_id");
  }

  @Test
  void should_proceed_for_admin_acting_for_agent_in_header() {
    RequestContext ctx = request().agentHeader("agent-9").build();

    assertProceeds(cut(principal(Principal.Roles.ADMIN, null)).apply(ctx));
    assertThat(ctx.agentId()).isEqualTo("agent-9");
    assertThat(ctx.principal().role()).isEqualTo("ADMIN");
  }

  @Test
  void should_deny_403_tenant_inactive_when_tenant_unknown() {
    // GIVEN a token of a tenant the directory does not know
    Principal ghost = new Principal("sub", "ghost-tenant", Principal.Roles.AGENT, AGENT, "jti", 0, false);
    RequestContext ctx = request().build();

    // WHEN
    Verdict.Respond r = respond(cut(ghost).apply(ctx));

    // THEN
    assertThat(r.status()).isEqualTo(403);
    assertThat(r.errorKey()).isEqualTo("tenant_inactive");
    assertThat(tenantLookups).containsExactly("ghost-tenant");
    assertThat(ctx.tenant()).isNull();
  }

  @Test
  void should_fail_future_when_tenant_directory_fails() {
    AuthStage cut = new AuthStage(token -> Future.succeededFuture(agentPrincipal()),
        id -> Future.failedFuture(new IllegalStateException("db down")));

    assertThat(cause(cut.apply(request().build()))).hasMessage("db down");
  }
}
