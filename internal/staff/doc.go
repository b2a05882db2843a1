// Package staff holds who works at which service center and in which role: operators act for
// citizens at the center, a center_admin also manages the center's operators.
package staff
