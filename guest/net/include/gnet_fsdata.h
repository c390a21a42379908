/* httpd's built-in file table (HTTPD_FSDATA_FILE): empty, every page comes
 * from the app's fs_open_custom (LWIP_HTTPD_CUSTOM_FILES). Saves running
 * lwIP's makefsdata generator at build time. */
#define FS_ROOT	    NULL
#define FS_NUMFILES 0
