//! The default pages' templates ([`DefaultPages`](super::pages::DefaultPages)): minijinja syntax,
//! HTML with every value escaped. They use no JavaScript and no outside resources, so that the
//! content policy the pages are sent with can forbid both.

/// The frame of every page: the blocks `title` and `content`.
pub(super) const LAYOUT: &str = r#"<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>{% block title %}{% endblock %}</title>
<style>
  body { font: 16px/1.5 system-ui, sans-serif; background: #f4f5f7; color: #1d2129; margin: 0; }
  main { max-width: 28rem; margin: 3rem auto; background: #fff; border-radius: 8px; padding: 2rem;
         box-shadow: 0 1px 4px rgba(0, 0, 0, .12); }
  h1 { font-size: 1.35rem; margin: 0 0 1rem; }
  .client { display: flex; align-items: center; gap: .75rem; }
  .client img { width: 48px; height: 48px; object-fit: contain; }
  ul { padding-left: 1.25rem; }
  label { display: block; margin: .75rem 0 .25rem; font-weight: 600; }
  input[type=text], input[type=password] { width: 100%; box-sizing: border-box; padding: .5rem;
         border: 1px solid #b8bcc4; border-radius: 4px; font: inherit; }
  .buttons { display: flex; gap: .75rem; margin-top: 1.5rem; }
  button { flex: 1; padding: .6rem; border-radius: 4px; border: 1px solid #1a56db; font: inherit;
           background: #fff; color: #1a56db; cursor: pointer; }
  button.primary { background: #1a56db; color: #fff; }
  .error { background: #fdecea; color: #8a1c12; padding: .5rem .75rem; border-radius: 4px; }
  .muted { color: #5f6673; font-size: .9rem; }
</style>
</head>
<body>
<main>
{% block content %}{% endblock %}
</main>
</body>
</html>
"#;

/// The authorization page: the client, what it asks for, a sign-in form when needed, approve
/// or deny.
pub(super) const AUTHORIZATION: &str = r#"{% extends "layout.html" %}
{% block title %}Authorize {{ client.name }}{% endblock %}
{% block content %}
<div class="client">
  {% if client.logo_uri %}<img src="{{ client.logo_uri }}" alt="">{% endif %}
  <h1 id="client-name">{{ client.name }}</h1>
</div>
{% if client.description %}<p class="muted">{{ client.description }}</p>{% endif %}
<p>This application asks for access to your account.</p>
{% if scopes %}
<p>It asks for:</p>
<ul id="scopes">
{% for scope in scopes %}  <li><strong>{{ scope.name }}</strong>{% if scope.description %}: {{ scope.description }}{% endif %}</li>
{% endfor %}</ul>
{% endif %}
{% if claims %}
<p>and these details about you:</p>
<ul id="claims">
{% for claim in claims %}  <li>{{ claim }}</li>
{% endfor %}</ul>
{% endif %}
{% if purpose %}<p>Why: {{ purpose }}</p>{% endif %}
{% if client.policy_uri or client.tos_uri %}
<p class="muted">
  {% if client.policy_uri %}<a href="{{ client.policy_uri }}" rel="noopener noreferrer">Privacy policy</a>{% endif %}
  {% if client.tos_uri %}<a href="{{ client.tos_uri }}" rel="noopener noreferrer">Terms of service</a>{% endif %}
</p>
{% endif %}
{% if error %}<p class="error" id="error">{{ error }}</p>{% endif %}
<form method="post" action="{{ action }}">
  <input type="hidden" name="interaction" value="{{ interaction }}">
  {% if sign_in %}
  <label for="login">Login name</label>
  <input type="text" id="login" name="login" value="{{ login_hint or '' }}" autocomplete="username" required>
  <label for="password">Password</label>
  <input type="password" id="password" name="password" autocomplete="current-password" required>
  {% else %}
  <p class="muted" id="signed-in">Signed in as {{ signed_in_as }}.</p>
  {% endif %}
  <div class="buttons">
    <button type="submit" name="decision" value="deny" id="deny" formnovalidate>Deny</button>
    <button type="submit" name="decision" value="approve" id="approve" class="primary">Approve</button>
  </div>
</form>
{% endblock %}
"#;

/// The device flow's first page: the code shown on the device, and a sign-in form when needed.
pub(super) const DEVICE_ENTRY: &str = r#"{% extends "layout.html" %}
{% block title %}Connect a device{% endblock %}
{% block content %}
<h1>Connect a device</h1>
<p>Enter the code your device shows.</p>
{% if error %}<p class="error" id="error">{{ error }}</p>{% endif %}
<form method="post" action="{{ action }}">
  <input type="hidden" name="form_token" value="{{ form_token }}">
  <label for="user_code">Code</label>
  <input type="text" id="user_code" name="user_code" value="{{ user_code or '' }}" autocomplete="off" autocapitalize="characters" required>
  {% if sign_in %}
  <label for="login">Login name</label>
  <input type="text" id="login" name="login" autocomplete="username" required>
  <label for="password">Password</label>
  <input type="password" id="password" name="password" autocomplete="current-password" required>
  {% else %}
  <p class="muted" id="signed-in">Signed in as {{ signed_in_as }}.</p>
  {% endif %}
  <div class="buttons">
    <button type="submit" id="continue" class="primary">Continue</button>
  </div>
</form>
{% endblock %}
"#;

/// The device flow's consent page.
pub(super) const DEVICE_CONSENT: &str = r#"{% extends "layout.html" %}
{% block title %}Authorize {{ client.name }}{% endblock %}
{% block content %}
<h1 id="client-name">{{ client.name }}</h1>
<p>The device showing the code <strong>{{ user_code }}</strong> asks for access to your account.</p>
{% if scopes %}
<ul id="scopes">
{% for scope in scopes %}  <li><strong>{{ scope.name }}</strong>{% if scope.description %}: {{ scope.description }}{% endif %}</li>
{% endfor %}</ul>
{% endif %}
{% if claims %}
<ul id="claims">
{% for claim in claims %}  <li>{{ claim }}</li>
{% endfor %}</ul>
{% endif %}
<p class="muted" id="signed-in">Signed in as {{ signed_in_as }}.</p>
<form method="post" action="{{ action }}">
  <input type="hidden" name="interaction" value="{{ interaction }}">
  <div class="buttons">
    <button type="submit" name="decision" value="deny" id="deny">Deny</button>
    <button type="submit" name="decision" value="approve" id="approve" class="primary">Approve</button>
  </div>
</form>
{% endblock %}
"#;

/// The CIBA approval page: a sign-in form, or the requests waiting for the user.
pub(super) const BACKCHANNEL_APPROVAL: &str = r#"{% extends "layout.html" %}
{% block title %}Requests waiting for you{% endblock %}
{% block content %}
<h1>Requests waiting for you</h1>
{% if notice %}<p id="notice">{{ notice }}</p>{% endif %}
{% if error %}<p class="error" id="error">{{ error }}</p>{% endif %}
{% if sign_in %}
<form method="post" action="{{ action }}">
  <input type="hidden" name="form_token" value="{{ form_token }}">
  <label for="login">Login name</label>
  <input type="text" id="login" name="login" autocomplete="username" required>
  <label for="password">Password</label>
  <input type="password" id="password" name="password" autocomplete="current-password" required>
  <div class="buttons">
    <button type="submit" id="sign-in" class="primary">Sign in</button>
  </div>
</form>
{% else %}
<p class="muted" id="signed-in">Signed in as {{ signed_in_as }}.</p>
{% for request in requests %}
<section class="request">
  <h2>{{ request.client.name }}</h2>
  {% if request.binding_message %}<p>It shows: <strong class="binding-message">{{ request.binding_message }}</strong></p>{% endif %}
  {% if request.scopes %}<p>It asks for: {{ request.scopes | join(", ") }}</p>{% endif %}
  <form method="post" action="{{ action }}">
    <input type="hidden" name="form_token" value="{{ form_token }}">
    <input type="hidden" name="request" value="{{ request.id }}">
    <div class="buttons">
      <button type="submit" name="decision" value="deny" class="deny">Deny</button>
      <button type="submit" name="decision" value="approve" class="approve primary">Approve</button>
    </div>
  </form>
</section>
{% else %}
<p id="none">Nothing is waiting for you.</p>
{% endfor %}
{% endif %}
{% endblock %}
"#;

/// A message: an error, or how a flow ended.
pub(super) const MESSAGE: &str = r#"{% extends "layout.html" %}
{% block title %}{{ title }}{% endblock %}
{% block content %}
<h1 id="title">{{ title }}</h1>
<p id="message">{{ message }}</p>
{% endblock %}
"#;
