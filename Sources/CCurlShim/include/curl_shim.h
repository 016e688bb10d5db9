// Non-variadic wrappers for libcurl's variadic setters and getters, which Swift cannot call.
// One line each; nothing else belongs here.
#ifndef ELEVATOR_CURL_SHIM_H
#define ELEVATOR_CURL_SHIM_H
#include <curl/curl.h>

/// Data callback shape shared by CURLOPT_WRITEFUNCTION, CURLOPT_HEADERFUNCTION and CURLOPT_READFUNCTION.
typedef size_t (*ec_data_cb)(char *ptr, size_t size, size_t nmemb, void *userdata);
/// Progress callback shape of CURLOPT_XFERINFOFUNCTION.
typedef int (*ec_xferinfo_cb)(void *userdata, curl_off_t dltotal, curl_off_t dlnow, curl_off_t ultotal, curl_off_t ulnow);

CURLcode ec_easy_setopt_long(CURL *handle, CURLoption option, long value);
CURLcode ec_easy_setopt_off(CURL *handle, CURLoption option, curl_off_t value);
CURLcode ec_easy_setopt_string(CURL *handle, CURLoption option, const char *value);
CURLcode ec_easy_setopt_pointer(CURL *handle, CURLoption option, void *value);
CURLcode ec_easy_setopt_slist(CURL *handle, CURLoption option, struct curl_slist *value);
CURLcode ec_easy_setopt_blob(CURL *handle, CURLoption option, struct curl_blob *value);
CURLcode ec_easy_setopt_data_callback(CURL *handle, CURLoption option, ec_data_cb callback);
CURLcode ec_easy_setopt_xferinfo_callback(CURL *handle, ec_xferinfo_cb callback);

CURLcode ec_easy_getinfo_long(CURL *handle, CURLINFO info, long *value);
CURLcode ec_easy_getinfo_off(CURL *handle, CURLINFO info, curl_off_t *value);
CURLcode ec_easy_getinfo_double(CURL *handle, CURLINFO info, double *value);
CURLcode ec_easy_getinfo_string(CURL *handle, CURLINFO info, char **value);
CURLcode ec_easy_getinfo_pointer(CURL *handle, CURLINFO info, void **value);

CURLMcode ec_multi_setopt_long(CURLM *handle, CURLMoption option, long value);
CURLMcode ec_multi_setopt_pointer(CURLM *handle, CURLMoption option, void *value);
CURLMcode ec_multi_setopt_socket_callback(CURLM *handle, curl_socket_callback callback);
CURLMcode ec_multi_setopt_timer_callback(CURLM *handle, curl_multi_timer_callback callback);

#endif
