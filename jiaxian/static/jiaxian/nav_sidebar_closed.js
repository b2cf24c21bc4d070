'use strict';
// The admin's left navigation starts closed (templates/admin/base_site.html): on a 1366 px screen
// it takes a fifth of the width from the lists and the forms. Django's nav_sidebar.js (deferred,
// so it runs after this) opens it unless the browser remembers a choice; until the clerk has
// chosen, the remembered choice is "closed". The toggle («/») still opens it and is remembered.
if (localStorage.getItem('django.admin.navSidebarIsOpen') === null) {
    localStorage.setItem('django.admin.navSidebarIsOpen', 'false');
}
