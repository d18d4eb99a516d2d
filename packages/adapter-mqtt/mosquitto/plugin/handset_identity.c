/*
 * Handset's identity and topic rules for mosquitto 2.x, as a plugin next to the password file and ACL file:
 * what mosquitto's own files cannot say. The password file still checks passwords, the ACL file still
 * checks topics; this plugin refuses earlier or stricter and otherwise defers to them.
 *
 * - A client id is "<username>:<device>" (device: 1-64 of [A-Za-z0-9_-]), so nobody can resume another
 *   user's session or kick its connection off by reusing its client id. Checked at authentication,
 *   which mosquitto runs before it disconnects an existing client with the same id.
 * - Only a device's own presence may be retained, and only as "online" or "offline": nobody leaves a
 *   retained (ghost) message in an inbox, nor fills retained storage.
 * - A subscription is either the user's own inbox or the presence of one named user: no wildcard
 *   enumeration of users, no $SYS.
 *
 * Options: plugin_opt_topic_prefix (default "handset/v1", must match the clients' topicPrefix).
 */
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <mosquitto.h>
#include <mosquitto_broker.h>
#include <mosquitto_plugin.h>

#define DEVICE_MAX 64

static mosquitto_plugin_id_t *plugin_id = NULL;
/* "<prefix>/u/": every Handset topic starts with it. */
static char *user_base = NULL;
static size_t user_base_len = 0;

static bool is_device(const char *device)
{
	size_t len = strlen(device);
	if(len == 0 || len > DEVICE_MAX) return false;
	for(size_t i = 0; i < len; i++){
		char c = device[i];
		bool ok = (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '_' || c == '-';
		if(!ok) return false;
	}
	return true;
}

/* True if client_id is "<username>:<device>"; the device follows the last ':' (user ids may hold ':'). */
static bool is_bound_client_id(const char *client_id, const char *username)
{
	if(client_id == NULL || username == NULL) return false;
	const char *colon = strrchr(client_id, ':');
	if(colon == NULL) return false;
	size_t user_len = strlen(username);
	if((size_t)(colon - client_id) != user_len || strncmp(client_id, username, user_len) != 0) return false;
	return is_device(colon + 1);
}

/* A Handset topic "<prefix>/u/<user>/<kind>/<last>", split into its three levels (pointers into buf). */
struct handset_topic {
	char buf[1024];
	const char *user;
	const char *kind;
	const char *last;
};

static bool parse_topic(const char *topic, struct handset_topic *parsed)
{
	if(topic == NULL || strncmp(topic, user_base, user_base_len) != 0) return false;
	const char *rest = topic + user_base_len;
	if(strlen(rest) >= sizeof(parsed->buf)) return false;
	strcpy(parsed->buf, rest);
	char *first_slash = strchr(parsed->buf, '/');
	if(first_slash == NULL) return false;
	char *second_slash = strchr(first_slash + 1, '/');
	if(second_slash == NULL || strchr(second_slash + 1, '/') != NULL) return false;
	*first_slash = '\0';
	*second_slash = '\0';
	parsed->user = parsed->buf;
	parsed->kind = first_slash + 1;
	parsed->last = second_slash + 1;
	return parsed->user[0] != '\0' && parsed->last[0] != '\0';
}

static bool has_wildcard(const char *level)
{
	return strchr(level, '+') != NULL || strchr(level, '#') != NULL;
}

static bool is_presence_payload(const void *payload, uint32_t len)
{
	return (len == 6 && memcmp(payload, "online", 6) == 0) || (len == 7 && memcmp(payload, "offline", 7) == 0);
}

static int on_basic_auth(int event, void *event_data, void *userdata)
{
	(void)event;
	(void)userdata;
	struct mosquitto_evt_basic_auth *ed = event_data;
	const char *client_id = mosquitto_client_id(ed->client);
	if(!is_bound_client_id(client_id, ed->username)){
		mosquitto_log_printf(MOSQ_LOG_NOTICE, "handset: refused client id \"%s\" for user \"%s\" (client-id-not-bound)",
				client_id ? client_id : "", ed->username ? ed->username : "");
		return MOSQ_ERR_AUTH;
	}
	return MOSQ_ERR_PLUGIN_DEFER;
}

static int check_subscribe(const char *filter, const char *username)
{
	struct handset_topic t;
	if(!parse_topic(filter, &t) || has_wildcard(t.user) || has_wildcard(t.kind)) return MOSQ_ERR_ACL_DENIED;
	bool own_inbox = strcmp(t.kind, "inbox") == 0 && strcmp(t.last, "+") == 0 && strcmp(t.user, username) == 0;
	bool one_users_presence = strcmp(t.kind, "presence") == 0 && strcmp(t.last, "+") == 0;
	return (own_inbox || one_users_presence) ? MOSQ_ERR_PLUGIN_DEFER : MOSQ_ERR_ACL_DENIED;
}

static int check_write(const struct mosquitto_evt_acl_check *ed, const char *username, const char *client_id)
{
	struct handset_topic t;
	bool parsed = parse_topic(ed->topic, &t);
	if(parsed && strcmp(t.kind, "presence") == 0){
		bool own = strcmp(t.user, username) == 0 && client_id != NULL && strcmp(t.last, client_id) == 0;
		return (own && is_presence_payload(ed->payload, ed->payloadlen)) ? MOSQ_ERR_PLUGIN_DEFER : MOSQ_ERR_ACL_DENIED;
	}
	/* Retained messages live until cleared: only presence (above) may be retained. */
	if(ed->retain) return MOSQ_ERR_ACL_DENIED;
	return MOSQ_ERR_PLUGIN_DEFER;
}

static int on_acl_check(int event, void *event_data, void *userdata)
{
	(void)event;
	(void)userdata;
	struct mosquitto_evt_acl_check *ed = event_data;
	const char *username = mosquitto_client_username(ed->client);
	const char *client_id = mosquitto_client_id(ed->client);
	if(username == NULL) return MOSQ_ERR_ACL_DENIED;
	switch(ed->access){
		case MOSQ_ACL_SUBSCRIBE:
			return check_subscribe(ed->topic, username);
		case MOSQ_ACL_WRITE:
			return check_write(ed, username, client_id);
		default:
			return MOSQ_ERR_PLUGIN_DEFER;
	}
}

int mosquitto_plugin_version(int supported_version_count, const int *supported_versions)
{
	for(int i = 0; i < supported_version_count; i++){
		if(supported_versions[i] == 5) return 5;
	}
	return -1;
}

int mosquitto_plugin_init(mosquitto_plugin_id_t *identifier, void **userdata, struct mosquitto_opt *options, int option_count)
{
	(void)userdata;
	const char *prefix = "handset/v1";
	for(int i = 0; i < option_count; i++){
		if(strcmp(options[i].key, "topic_prefix") == 0) prefix = options[i].value;
	}
	user_base_len = strlen(prefix) + strlen("/u/");
	user_base = malloc(user_base_len + 1);
	if(user_base == NULL) return MOSQ_ERR_NOMEM;
	snprintf(user_base, user_base_len + 1, "%s/u/", prefix);

	plugin_id = identifier;
	int rc = mosquitto_callback_register(plugin_id, MOSQ_EVT_BASIC_AUTH, on_basic_auth, NULL, NULL);
	if(rc != MOSQ_ERR_SUCCESS) return rc;
	return mosquitto_callback_register(plugin_id, MOSQ_EVT_ACL_CHECK, on_acl_check, NULL, NULL);
}

int mosquitto_plugin_cleanup(void *userdata, struct mosquitto_opt *options, int option_count)
{
	(void)userdata;
	(void)options;
	(void)option_count;
	mosquitto_callback_unregister(plugin_id, MOSQ_EVT_BASIC_AUTH, on_basic_auth, NULL);
	mosquitto_callback_unregister(plugin_id, MOSQ_EVT_ACL_CHECK, on_acl_check, NULL);
	free(user_base);
	user_base = NULL;
	return MOSQ_ERR_SUCCESS;
}
